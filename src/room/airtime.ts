/** How the floor has been shared across the panel's groups: for the facilitator, so quieter groups get a turn. */
export interface AirtimeReport {
  /** Members who have not held the floor yet. */
  notSpoken: string[];
  groups: { category: string; value: string; members: number; spoken: number; memberShare: number; airtimeShare: number }[];
}

/** `answers`: member -> category -> value. Shares are fractions of members and of all airtime. */
export function airtimeReport(members: string[], airtime: Record<string, number>, answers: Map<string, Record<string, string>>): AirtimeReport {
  const total = Object.values(airtime).reduce((a, b) => a + b, 0);
  const groups = new Map<string, AirtimeReport['groups'][number] & { ms: number }>();
  for (const m of members) {
    for (const [category, value] of Object.entries(answers.get(m) ?? {})) {
      const key = `${category}\u0000${value}`;
      const g = groups.get(key) ?? { category, value, members: 0, spoken: 0, memberShare: 0, airtimeShare: 0, ms: 0 };
      g.members++;
      if ((airtime[m] ?? 0) > 0) g.spoken++;
      g.ms += airtime[m] ?? 0;
      groups.set(key, g);
    }
  }
  return {
    notSpoken: members.filter((m) => !(airtime[m] > 0)),
    groups: [...groups.values()].map(({ ms, ...g }) => ({ ...g, memberShare: g.members / Math.max(1, members.length), airtimeShare: total ? ms / total : 0 })),
  };
}
