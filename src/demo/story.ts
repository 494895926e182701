import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { audit } from '../audit';
import { findUserByEmail } from '../auth/users';
import type { Clock } from '../clock';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { findPanel, type Panel } from '../panels/repo';
import { fixturesDir } from '../paths';
import { exampleAgenda } from '../room/agenda';
import { ballotBoxOf } from '../room/ballot-box';
import { createSession } from '../room/create';
import { type Actor, apply, type Command, commandSchema, RoomError } from '../room/machine';
import { actorKey, RoomRepo } from '../room/repo';
import type { RoomState } from '../room/state';
import { DEMO_FACILITATOR, DEMO_ORGANISER } from './seed';
import { selectDemoPanel, selectionSchema } from './selection';
import { publishDemoSummary } from './summary';
import { respondForDemo } from './response';
import { Summaries } from '../outcomes/summaries';

/**
 * The rest of the Coventry demo's story, after seedDemo: the organiser publishes a commitment and the public
 * numbers, the final draw runs (a real LEXIMIN draw of 40 from 1,500), one person declines and a replacement
 * draw fills the seat, everyone else confirms, and a whole day of the panel is replayed from
 * fixtures/coventry/session.json through the room's own rules. Every step goes through the functions the
 * organiser's pages and the room's socket handler use, so the demo shows what the app really does.
 */

export const DEMO_SESSION_SCRIPT = path.join(fixturesDir, 'coventry', 'session.json');

/** The meta key that marks the story as told, holding its session's id: the story is told once per database. */
const STORY_KEY = 'demo_story';

const seat = z.string().regex(/^m\d+$/, 'name a member m1 to m40, in the order of the session’s list');
const scriptSchema = z.object({
  selection: selectionSchema,
  attendance: z.object({
    absent: z.array(seat),
    /** Minutes from the start: people who came late, and who left early. */
    late: z.record(seat, z.number()),
    leftEarly: z.record(seat, z.number()),
  }),
  /** `at`: minutes from the start; `note`: what is happening, for whoever reads the script. */
  steps: z.array(z.object({ at: z.number().min(0).max(720), note: z.string().optional(), actor: z.string().min(1), command: z.record(z.string(), z.unknown()) })).min(1),
});
export type SessionScript = z.infer<typeof scriptSchema>;
type Step = SessionScript['steps'][number];

/**
 * Tells the demo's story once per database, and returns its session. A second call finds the story told and
 * does nothing. Each selection step checks whether it is done already, so a call after a story was cut short
 * before its session carries on from there; the session and its replay are one transaction: all or nothing.
 */
export async function seedDemoStory(ctx: AppContext, panelId: number, log: (line: string) => void = () => {}, options: { respond?: boolean } = {}): Promise<{ sessionId: number }> {
  const { db } = ctx;
  const told = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(STORY_KEY) as string | undefined;
  if (told) return { sessionId: Number(told) };
  const script = loadScript();
  const panel = findPanel(db, panelId);
  if (!panel) throw new Error(`The demo story needs the demo panel (id ${panelId}), and there is none: seed the demo first.`);
  const organiser = demoUser(db, DEMO_ORGANISER);
  const facilitator = demoUser(db, DEMO_FACILITATOR);

  await selectDemoPanel(ctx, panel, organiser, script.selection, log);

  log(`Replaying the demo's panel day (${script.steps.length} steps)…`);
  const sessionId = replaySession(ctx, panel, facilitator, script);
  publishDemoSummary(ctx, sessionId, facilitator, organiser);
  // The council's response and its progress, unless a test wants to give them itself.
  if (options.respond !== false) respondForDemo(ctx, new Summaries(ctx, new RoomRepo(db)), panel.id, organiser);
  log(`The demo story is ready: live session ${sessionId}, with its votes and recommendations, its published summary and the council's response at /outcomes.`);
  return { sessionId };
}

function loadScript(file = DEMO_SESSION_SCRIPT): SessionScript {
  const parsed = scriptSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} cannot be used: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  parsed.data.steps.forEach((step, i) => {
    const before = parsed.data.steps[i - 1];
    if (before && step.at < before.at) throw new Error(`${file}: steps[${i}] is at minute ${step.at}, before steps[${i - 1}] (${before.at}): keep the steps in time order.`);
  });
  return parsed.data;
}

function demoUser(db: Db, email: string): number {
  const user = findUserByEmail(db, email);
  if (!user) throw new Error(`The demo story needs the demo account ${email}, and there is none: seed the demo first.`);
  return user.id;
}

// --- The session: created from the example agenda, then the script replayed through the room's rules ---

/**
 * The script's actors who are not members: the demo's facilitator, and its organiser as the second teller (a
 * paper count is entered by two different signed-in people).
 */
function roleActors(facilitator: number, organiser: number): Record<string, Actor> {
  return { facilitator: { role: 'facilitator', who: `user:${facilitator}` }, teller: { role: 'facilitator', who: `user:${organiser}` }, observer: { role: 'observer' } };
}

/**
 * Creates the session, replays every step at its minute of the day through `apply` exactly as the socket
 * handler does (the rules, then the state and the command record together), records who came, and marks
 * the story told: all in one transaction, so a refused step leaves no half-told session behind. `source`
 * names the script in errors.
 */
export function replaySession(ctx: AppContext, panel: Panel, userId: number, script: SessionScript, source = DEMO_SESSION_SCRIPT): number {
  const { db, clock } = ctx;
  const repo = new RoomRepo(db);
  const actors = roleActors(userId, demoUser(db, DEMO_ORGANISER));
  return db.transaction(() => {
    const { sessionId } = createSession(db, clock, repo, panel, exampleAgenda(), userId);
    audit(db, clock, { panelId: panel.id, userId, action: 'session.create', subject: String(sessionId) });
    let state = repo.state(sessionId) as RoomState;
    const start = sessionStart(clock);
    const cast = new Cast(state.members, script.attendance, script.steps, actors);
    const env = { answers: repo.answers(sessionId), box: ballotBoxOf(db, sessionId, ctx.config.KEYS_DIR), summaryRevision: () => repo.summaryRevision(sessionId) };
    script.steps.forEach((step, i) => {
      const where = `${source} steps[${i}] (minute ${step.at}, ${step.actor}, ${String(step.command.type)})`;
      const now = start + Math.round(step.at * 60_000);
      try {
        const actor = cast.actor(state, step);
        const command = cast.command(state, step);
        state = apply(state, actor, command, now, env);
        repo.record(sessionId, state, actorKey(actor), `demo-${i + 1}`, command, now);
      } catch (err) {
        if (err instanceof RoomError) throw new Error(`${where} was refused (${err.code}): ${err.message}`);
        throw new Error(`${where}: ${(err as Error).message}`);
      }
    });
    for (const { member, from, until } of cast.attendance()) {
      repo.attend(sessionId, member, start + from * 60_000);
      repo.attend(sessionId, member, start + until * 60_000);
    }
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(STORY_KEY, String(sessionId));
    return sessionId;
  })();
}

/** The session starts at the first full hour at least half an hour from now: after the draw, with time to arrive. */
function sessionStart(clock: Clock): number {
  const hour = 3_600_000;
  return Math.ceil((clock.now() + hour / 2) / hour) * hour;
}

/**
 * Who the script's names stand for. `m1` to `m40` are the session's members in its own order (the final
 * draw's, replacements last), which is also the order of the round-robin, so the script knows whose turn it
 * skips. `tX.Y` is the Yth person at table X, whoever the tables put there.
 */
class Cast {
  private readonly absent: Set<string>;

  constructor(
    private readonly members: string[],
    private readonly plan: SessionScript['attendance'],
    private readonly steps: Step[],
    private readonly roles: Record<string, Actor>,
  ) {
    this.absent = new Set(plan.absent.map((r) => this.member(undefined, r)));
  }

  actor(state: RoomState, step: Step): Actor {
    const role = this.roles[step.actor];
    if (role) return role;
    const member = this.member(state, step.actor);
    const { from, until } = this.presence(member);
    if (step.at < from || step.at > until) throw new Error(`${step.actor} (${member}) is not in the room at minute ${step.at} (there from ${from} to ${until}).`);
    return { role: 'panellist', member };
  }

  /** The command with its names resolved (a member, a list of members, or everyone present). */
  command(state: RoomState, step: Step): Command {
    const fields: Record<string, unknown> = { ...step.command };
    if (typeof fields.member === 'string') fields.member = this.member(state, fields.member);
    if (Array.isArray(fields.members)) fields.members = fields.members.map((m: unknown) => (typeof m === 'string' ? this.member(state, m) : m));
    if (fields.members === 'present') fields.members = this.members.filter((m) => !this.absent.has(m) && this.presence(m).from <= step.at && step.at <= this.presence(m).until);
    const parsed = commandSchema.safeParse(fields);
    if (!parsed.success) throw new Error(`the command is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }

  /** Everyone who came, from when to when (minutes from the start). */
  attendance(): { member: string; from: number; until: number }[] {
    return this.members.filter((m) => !this.absent.has(m)).map((member) => ({ member, ...this.presence(member) }));
  }

  private presence(member: string): { from: number; until: number } {
    const n = this.members.indexOf(member) + 1;
    // Most arrive in the half hour before the start, in no particular order; phones disconnect just after the end.
    const end = this.steps[this.steps.length - 1].at + 2;
    return { from: this.plan.late[`m${n}`] ?? -((n * 7) % 25) - 3, until: this.absent.has(member) ? -1 : (this.plan.leftEarly[`m${n}`] ?? end) };
  }

  private member(state: RoomState | undefined, name: string): string {
    const seat = /^m(\d+)$/.exec(name);
    if (seat) {
      const member = this.members[Number(seat[1]) - 1];
      if (!member) throw new Error(`${name} is not a member: the session has ${this.members.length}.`);
      return member;
    }
    const place = /^t(\d+)\.(\d+)$/.exec(name);
    if (place && state) {
      const table = state.tables[Number(place[1]) - 1];
      const member = table?.members[Number(place[2]) - 1];
      if (!member) throw new Error(`${name}: there is nobody there (${state.tables.length} tables${table ? `, table ${place[1]} seats ${table.members.length}` : ''}).`);
      return member;
    }
    throw new Error(`"${name}" is not a name the script knows: use facilitator, teller, m1 to m${this.members.length}, or tX.Y for a place at a table.`);
  }
}
