import type { Db } from '../db';
import { isSeated, roomNames, standing } from '../membership/members';
import { answersOf } from '../registration/repo';
import { newToken, sha256 } from '../tokens';
import { freeze } from 'immer';
import type { Agenda } from './agenda';
import { forTheRecord, readLogged, type RecordedCommand } from './command-log';
import { RoomError } from './errors';
import type { Actor, Command } from './machine';
import { assemble, changedPieces, LISTS, piecesToStore } from './pieces';
import { ROOM_SCHEMA, upToDate } from './schema';
import { initialState, type RoomState } from './state';

export interface Pass {
  sessionId: number;
  actor: Actor;
}

export interface SessionSummary {
  id: number;
  title: string;
  version: number;
  createdAt: number;
  panelId: number;
  panelTitle: string;
}

export interface Session {
  id: number;
  title: string;
  createdAt: number;
  panelId: number;
}

export interface Attendance {
  member: string;
  firstAt: number;
  lastAt: number;
}

/** How many sessions' states a repo keeps in memory: every live room, and a few whose pages are being read. */
const KEPT = 32;

/** How long a join link works: long enough to print and hand out links well ahead of a session. */
export const PASS_DAYS = 60;

/** Statements prepared once per database (rule 6). */
export class RoomRepo {
  private readonly q;
  /**
   * The latest state per session, by version: parsing a large room on every command costs more than the command,
   * and its pieces' identities tell the next write what changed (pieces.ts).
   */
  private readonly states = new Map<number, RoomState>();

  constructor(private readonly db: Db) {
    this.q = {
      insertSession: db.prepare('INSERT INTO room_sessions (panel_id, title, agenda, version, schema_version, created_by, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)'),
      pieces: db.prepare('SELECT piece, value FROM room_pieces WHERE session_id = ?'),
      putPiece: db.prepare('INSERT INTO room_pieces (session_id, piece, value) VALUES (?, ?, ?) ON CONFLICT (session_id, piece) DO UPDATE SET value = excluded.value'),
      dropPieces: db.prepare('DELETE FROM room_pieces WHERE session_id = ?'),
      dropTail: db.prepare("DELETE FROM room_pieces WHERE session_id = ? AND piece LIKE ? || '.%' AND CAST(substr(piece, length(?) + 2) AS INTEGER) >= ?"),
      version: db.prepare('SELECT version, schema_version AS schema FROM room_sessions WHERE id = ?'),
      title: db.prepare('SELECT title FROM room_sessions WHERE id = ?').pluck(),
      find: db.prepare('SELECT id, title, created_at AS createdAt, panel_id AS panelId FROM room_sessions WHERE id = ?'),
      ofPanel: db.prepare('SELECT id, title, created_at AS createdAt, panel_id AS panelId FROM room_sessions WHERE panel_id = ? ORDER BY id'),
      list: db.prepare(
        `SELECT s.id, s.title, s.version, s.created_at AS createdAt, p.id AS panelId, p.title AS panelTitle
         FROM room_sessions s JOIN panels p ON p.id = s.panel_id ORDER BY s.id DESC`,
      ),
      saveVersion: db.prepare('UPDATE room_sessions SET version = ?, schema_version = ? WHERE id = ? AND version = ?'),
      insertCommand: db.prepare('INSERT INTO room_commands (session_id, actor, client_id, command, version, at, seen) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      findCommand: db.prepare('SELECT version FROM room_commands WHERE session_id = ? AND actor = ? AND client_id = ?').pluck(),
      attend: db.prepare(
        `INSERT INTO room_attendance (session_id, member, first_at, last_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id, member) DO UPDATE SET last_at = excluded.last_at`,
      ),
      attendance: db.prepare('SELECT member, first_at AS firstAt, last_at AS lastAt FROM room_attendance WHERE session_id = ? ORDER BY member'),
      commands: db.prepare('SELECT actor, command, version, at FROM room_commands WHERE session_id = ? ORDER BY version'),
      summaryRevision: db.prepare('SELECT revision FROM summary_drafts WHERE session_id = ?').pluck(),
      insertPass: db.prepare('INSERT INTO room_passes (token_hash, session_id, role, member, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
      findPass: db.prepare(
        `SELECT p.session_id AS sessionId, s.panel_id AS panelId, p.role, p.member FROM room_passes p JOIN room_sessions s ON s.id = p.session_id
         WHERE p.token_hash = ? AND (p.expires_at IS NULL OR p.expires_at > ?)`,
      ),
      dropPasses: db.prepare('DELETE FROM room_passes WHERE session_id = ?'),
      panelOf: db.prepare('SELECT panel_id FROM room_sessions WHERE id = ?').pluck(),
    };
  }

  createSession(panelId: number, agenda: Agenda, members: string[], userId: number | null, now: number): number {
    return this.db.transaction(() => {
      const id = Number(this.q.insertSession.run(panelId, agenda.title, JSON.stringify(agenda), ROOM_SCHEMA, userId, now).lastInsertRowid);
      const state = initialState(agenda, members);
      for (const [piece, value] of piecesToStore(state, changedPieces(undefined, state))) this.q.putPiece.run(id, piece, value);
      return id;
    })();
  }

  /**
   * The session's room as stored, frozen: kept while the stored version is the same. Every writer stores a new
   * version with a new state (the rules copy what they change, machine.ts).
   */
  state(sessionId: number): RoomState | undefined {
    const row = this.q.version.get(sessionId) as { version: number; schema: number } | undefined;
    if (!row) return undefined;
    const kept = this.states.get(sessionId);
    if (kept?.version === row.version) return kept;
    const rows = this.q.pieces.all(sessionId) as { piece: string; value: string }[];
    const state = freeze(upToDate(assemble(rows, row.version), row.schema, () => this.commands(sessionId)), true);
    // A state brought up from an older schema is stored whole by the next command (see `record`).
    if (row.schema === ROOM_SCHEMA) this.keep(sessionId, state);
    return state;
  }

  /** The session's title, without reading its state. */
  title(sessionId: number): string | undefined {
    return this.q.title.get(sessionId) as string | undefined;
  }

  find(sessionId: number): Session | undefined {
    return this.q.find.get(sessionId) as Session | undefined;
  }

  /** A panel's sessions, oldest first. */
  ofPanel(panelId: number): Session[] {
    return this.q.ofPanel.all(panelId) as Session[];
  }

  /** Every session, newest first, with its panel. */
  list(): SessionSummary[] {
    return this.q.list.all() as SessionSummary[];
  }

  /** The version an earlier command from this actor and client id produced, if it was applied. */
  appliedVersion(sessionId: number, actor: string, clientId: string): number | undefined {
    return this.q.findCommand.get(sessionId, actor, clientId) as number | undefined;
  }

  /**
   * Stores the new state and the command that made it, together; the command without any ballot in it. Only the
   * pieces that differ from the version before are written, when that version is the one kept here (as it is
   * for every command the room applies); otherwise, or for a room stored in an older schema, the whole state.
   * Refused if the room is no longer at the version before (another writer stored one meanwhile).
   */
  record(sessionId: number, state: RoomState, actor: string, clientId: string, command: Command, now: number): void {
    this.db.transaction(() => {
      const kept = this.states.get(sessionId);
      const before = kept?.version === state.version - 1 ? kept : undefined;
      if (this.q.saveVersion.run(state.version, ROOM_SCHEMA, sessionId, state.version - 1).changes !== 1) {
        throw new RoomError('conflict', 'The room changed while this was being stored: nothing was applied. Try again.');
      }
      if (!before) this.q.dropPieces.run(sessionId);
      const changed = changedPieces(before, state);
      for (const [piece, value] of piecesToStore(state, changed)) this.q.putPiece.run(sessionId, piece, value);
      for (const list of LISTS) {
        const length = changed.lists[list]?.length;
        if (before && length !== undefined && length < before[list].length) this.q.dropTail.run(sessionId, list, list, length);
      }
      this.q.insertCommand.run(sessionId, actor, clientId, JSON.stringify(forTheRecord(command)), state.version, now, 1);
    })();
    this.keep(sessionId, freeze(state, true));
  }

  /** Lets go of the session's kept state (its live room was disposed, live.ts). */
  forget(sessionId: number): void {
    this.states.delete(sessionId);
  }

  /** Keeps a session's latest state, and the latest of at most KEPT sessions: the longest unused goes first. */
  private keep(sessionId: number, state: RoomState): void {
    this.states.delete(sessionId);
    this.states.set(sessionId, state);
    if (this.states.size > KEPT) this.states.delete(this.states.keys().next().value as number);
  }

  /**
   * Stores a command that changed nothing anyone sees (a secret ballot whose vote's counter stays put): the
   * room keeps its version, so no change goes out and nobody can watch the member cast.
   */
  recordUnseen(sessionId: number, actor: string, clientId: string, command: Command, version: number, now: number): void {
    this.q.insertCommand.run(sessionId, actor, clientId, JSON.stringify(forTheRecord(command)), version, now, 0);
  }

  /** A panellist connected: the record's attendance keeps their first and latest connection. */
  attend(sessionId: number, member: string, now: number): void {
    this.q.attend.run(sessionId, member, now, now);
  }

  attendance(sessionId: number): Attendance[] {
    return this.q.attendance.all(sessionId) as Attendance[];
  }

  /** The session's record: every applied command, in order, with who sent it and when (command-log.ts). */
  commands(sessionId: number): RecordedCommand[] {
    const rows = this.q.commands.all(sessionId) as (Omit<RecordedCommand, 'command'> & { command: string })[];
    return rows.map((r) => ({ ...r, command: readLogged(sessionId, r.version, r.command) }));
  }

  /** The latest revision of the session's written summary (src/outcomes), which a vote in the room can approve. */
  summaryRevision(sessionId: number): number | undefined {
    return this.q.summaryRevision.get(sessionId) as number | undefined;
  }

  /** The answers of a session's panel's registrants: pseudonym -> category -> value. */
  answers(sessionId: number): Map<string, Record<string, string>> {
    const panelId = this.q.panelOf.get(sessionId) as number | undefined;
    return panelId === undefined ? new Map() : answersOf(this.db, panelId);
  }

  /** The names the panel's seated members gave the room: pseudonym -> name (membership/members.ts). */
  givenNames(sessionId: number): Map<string, string> {
    const panelId = this.q.panelOf.get(sessionId) as number | undefined;
    return panelId === undefined ? new Map() : roomNames(this.db, panelId);
  }

  /** A new join link's token (returned once; only its hash is stored). It works for PASS_DAYS. */
  issuePass(sessionId: number, actor: Actor, now: number): string {
    const token = newToken();
    this.q.insertPass.run(sha256(token), sessionId, actor.role, actor.role === 'panellist' ? actor.member : null, now, now + PASS_DAYS * 86_400_000);
    return token;
  }

  /** Revokes every join link of the session (new ones are issued by the caller). */
  dropPasses(sessionId: number): void {
    this.q.dropPasses.run(sessionId);
  }

  /**
   * Who a join link lets in, while it holds: until it expires or is replaced; and a panellist's link stops working
   * once they decline, withdraw or have their registration erased (someone never drawn, as in tests and
   * benchmarks, keeps theirs).
   */
  findPass(token: string, now: number): Pass | undefined {
    const hash = sha256(token);
    const row = this.q.findPass.get(hash, now) as { sessionId: number; panelId: number; role: Actor['role']; member: string | null } | undefined;
    if (!row) return undefined;
    if (row.role === 'panellist') {
      const status = standing(this.db, row.panelId, row.member ?? '');
      if (status === undefined || (status !== null && !isSeated(status))) return undefined;
    }
    // A facilitator's link is named by the start of its hash, to tell two tellers apart.
    const actor: Actor = row.role === 'panellist' ? { role: 'panellist', member: row.member ?? '' } : row.role === 'facilitator' ? { role: 'facilitator', who: `link:${hash.slice(0, 8)}` } : { role: 'observer' };
    return { sessionId: row.sessionId, actor };
  }
}

/** How an actor is named in the command record: a role, or a panellist's pseudonym. */
export function actorKey(actor: Actor): string {
  return actor.role === 'panellist' ? actor.member : actor.role;
}
