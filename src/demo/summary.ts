import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context';
import { Summaries } from '../outcomes/summaries';
import { fixturesDir } from '../paths';
import { ballotBoxOf } from '../room/ballot-box';
import { type Actor, apply, type Command } from '../room/machine';
import { actorKey, RoomRepo } from '../room/repo';
import type { RoomState } from '../room/state';

const NARRATIVE = path.join(fixturesDir, 'coventry', 'summary.md');

/**
 * The end of the demo's story: the facilitator writes the day's summary, the members still in the room approve
 * it by a vote (the vote round reopened ten minutes after the day's last round closed), and the organiser
 * publishes it, so /outcomes shows the whole journey. Through the same rules and records as a real session.
 */
export function publishDemoSummary(ctx: AppContext, sessionId: number, facilitator: number, organiser: number): void {
  const { db } = ctx;
  const room = new RoomRepo(db);
  const summaries = new Summaries(ctx, room);
  db.transaction(() => {
    summaries.save(sessionId, fs.readFileSync(NARRATIVE, 'utf8'), [], facilitator);
    let state = room.state(sessionId) as RoomState;
    const ended = Math.max(...room.commands(sessionId).map((c) => c.at));
    const attendance = room.attendance(sessionId);
    const present = attendance.filter((a) => a.lastAt >= ended).map((a) => a.member);
    const env = { box: ballotBoxOf(db, sessionId, ctx.config.KEYS_DIR), summaryRevision: () => room.summaryRevision(sessionId) };
    const host: Actor = { role: 'facilitator', who: `user:${facilitator}` };
    const vote = state.votes.length + 1;
    const steps: [Actor, Command][] = [
      [host, { type: 'round:open', round: state.rounds.findIndex((r) => r.type === 'vote') }],
      [host, { type: 'vote:open', summary: 'latest', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 20 }, secret: false, live: false }],
      ...present.map((member, i): [Actor, Command] => [{ role: 'panellist', member }, { type: 'vote:cast', vote, ballot: { kind: 'threshold', choice: i % 12 === 5 ? 'abstain' : 'agree' } }]),
      [host, { type: 'vote:close', vote }],
      [host, { type: 'round:close' }],
    ];
    steps.forEach(([actor, command], i) => {
      const now = ended + (10 + i * 0.05) * 60_000;
      state = apply(state, actor, command, now, env);
      room.record(sessionId, state, actorKey(actor), `demo-summary-${i + 1}`, command, now);
    });
    for (const member of present) room.attend(sessionId, member, ended + 12 * 60_000);
    summaries.publish(sessionId, '', organiser);
  })();
}
