/**
 * How this tab joins: a join link's pass, or a member's invitation token (`#invite=`), taken from the
 * address once and kept for this tab; with neither, the login cookie of a facilitator.
 */
export function credentials(session: string): Record<string, string> {
  const key = `room:${session}`;
  const found = /(pass|invite)=([\w-]+)/.exec(location.hash);
  if (found) {
    sessionStorage.setItem(key, JSON.stringify({ [found[1]]: found[2] }));
    history.replaceState(null, '', location.pathname);
  }
  const kept = JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, string>;
  return { ...kept, session };
}
