import type { Db } from '../db';
import type { KeyStore } from '../keys';

/** The installation's key for receipts' lookup tags (docs/voting.md). */
export const RECEIPT_KEY = 'receipts';

/** One key per secret vote, made at its opening and destroyed after its close. */
export const voteKeyName = (session: number, vote: number) => `vote-${session}-${vote}`;

/** Vote keys left behind by a close that stopped before it could destroy them (a crash): destroyed now. */
export function sweepVoteKeys(db: Db, keys: KeyStore): number {
  const open = new Set((db.prepare('SELECT DISTINCT session_id, vote_id FROM vote_sealed').all() as { session_id: number; vote_id: number }[]).map((r) => voteKeyName(r.session_id, r.vote_id)));
  const pending = new Set((db.prepare("SELECT session_id, vote_id FROM vote_paper_counts WHERE content LIKE 'sealed:%'").all() as { session_id: number; vote_id: number }[]).map((r) => voteKeyName(r.session_id, r.vote_id)));
  const stale = keys.names().filter((name) => name.startsWith('vote-') && !open.has(name) && !pending.has(name) && !openSecretVote(db, name));
  for (const name of stale) keys.drop(name);
  return stale.length;
}

/** Whether the vote a key belongs to is still open (a secret vote with no ballot yet keeps its key). */
function openSecretVote(db: Db, name: string): boolean {
  const [, session, vote] = name.split('-').map(Number);
  const votes = db.prepare("SELECT value FROM room_pieces WHERE session_id = ? AND piece LIKE 'votes.%'").pluck().all(session) as string[];
  return votes.map((v) => JSON.parse(v) as { id: number; status: string }).some((v) => v.id === vote && v.status === 'open');
}

