import fs from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { backupCommand } from '../../src/cli/backup';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import { seatMembers } from '../helpers';
import { type Client, RoomHarness } from '../room/harness';
import { readWal, replay, withImage } from './wal';

/**
 * Issue 16's file-level test, as someone holding copies of the database files would attack a secret vote: 30
 * members cast known, all-different ranked ballots in a random order; after every cast the database file and
 * its WAL are copied (never the key folder, which is kept apart). The attacker replays every transaction of
 * every copy from the WAL format itself (wal.ts) and tries to match ballots to voters by transaction, by page,
 * by row order and by timing. Each attempt must do no better than chance.
 */
const VOTERS = 30;
const h = new RoomHarness();
const rng = seedrandom('ballot files');
const copies: { member: string; db: Buffer; wal: Buffer }[] = [];
let members: string[];
let sessionId: number;
let ranking: Map<string, number[]>;
let castOrder: string[];
let backup: Buffer;
let afterClose: { db: Buffer; wal: Buffer };

/** Every ranking of some of five options, in a seeded random order: thirty members, thirty different ballots. */
function rankings(): number[][] {
  const all: number[][] = [];
  const grow = (prefix: number[]) => {
    if (prefix.length >= 3) all.push(prefix);
    for (let o = 0; o < 5; o++) if (!prefix.includes(o)) grow([...prefix, o]);
  };
  grow([]);
  return shuffle(all);
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const content = (r: number[]) => JSON.stringify({ kind: 'ranked', ranking: r });
/** How many places two orders agree on: a random match of 30 agrees on about 1, and 7 or more about once in 10,000 tries. */
const agreements = (a: string[], b: string[]) => a.filter((x, i) => b[i] === x).length;
const CHANCE = 7;

beforeAll(async () => {
  const panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
  members = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT ?').pluck().all(VOTERS) as string[];
  seatMembers(h.app.db, panelId, members, h.clock.now());
  const agenda = exampleAgenda();
  sessionId = h.app.room.createSession(panelId, agenda, members, null, h.clock.now());
  await h.listen();
  const facilitator = (await h.join(h.app.room.issuePass(sessionId, { role: 'facilitator' }, h.clock.now()))).socket;
  const phones = new Map<string, Client>();
  for (const member of members) phones.set(member, (await h.join(h.app.room.issuePass(sessionId, { role: 'panellist', member }, h.clock.now()))).socket);
  await h.do(facilitator, 'round:open', { round: agenda.rounds.findIndex((r) => r.type === 'vote') });
  const options = ['Cheylesmore', 'Hillfields', 'Earlsdon', 'WEHM', 'Foleshill'];
  await h.do(facilitator, 'vote:open', { question: 'Where should the doorstep programme start?', options, settings: { method: 'ranked', count: 'irv' }, secret: true });
  const all = rankings();
  ranking = new Map(members.map((m, i) => [m, all[i]]));
  castOrder = shuffle(members);
  for (const [i, member] of castOrder.entries()) {
    h.clock.advance(1000 + Math.floor(rng() * 20_000));
    await h.do(phones.get(member) as Client, 'vote:cast', { vote: 1, ballot: { kind: 'ranked', ranking: ranking.get(member) } });
    copies.push({ member, db: fs.readFileSync(h.file), wal: fs.readFileSync(`${h.file}-wal`) });
    if (i === VOTERS / 2) backup = takeBackup();
  }
  await h.do(facilitator, 'vote:close', { vote: 1 });
  afterClose = { db: fs.readFileSync(h.file), wal: fs.existsSync(`${h.file}-wal`) ? fs.readFileSync(`${h.file}-wal`) : Buffer.alloc(0) };
}, 60_000);
afterAll(() => h.close());

function takeBackup(): Buffer {
  const file = path.join(h.dir, 'mid-vote-backup.db');
  const out: string[] = [];
  const code = backupCommand([file], { out: (t) => out.push(t), err: (t) => out.push(t), env: { DATABASE: h.file } });
  if (code !== 0) throw new Error(out.join(''));
  return fs.readFileSync(file);
}

let replayed: ReturnType<typeof replayCopies> | undefined;
const transactions = () => (replayed ??= replayCopies());

/** Every committed transaction of every copy, once, with the member whose cast the copy followed. */
function replayCopies() {
  const seen = new Set<string>();
  const found: { member: string; frames: Buffer[]; image: Buffer }[] = [];
  for (const copy of copies) {
    const wal = readWal(copy.wal);
    const images = replay(copy.db, copy.wal);
    wal.transactions.forEach((tx, i) => {
      const id = `${wal.salt1}:${wal.salt2}:${i}`;
      if (seen.has(id)) return;
      seen.add(id);
      found.push({ member: copy.member, frames: tx.frames.map((f) => f.data), image: images[i] });
    });
  }
  return found;
}

test('every cast was copied and its transaction replayed from the WAL', () => {
  expect(copies).toHaveLength(VOTERS);
  const all = transactions();
  expect(all.length).toBeGreaterThanOrEqual(VOTERS);
  // The replay is real: the last image of the last copy holds every voter, read back by SQLite.
  const last = all[all.length - 1].image;
  expect(withImage(last, (db) => db.prepare('SELECT COUNT(*) FROM vote_voters WHERE session_id = ?').pluck().get(sessionId))).toBe(VOTERS);
});

test('by transaction or page: no page written while the vote was open holds any ballot, readable or by size', () => {
  for (const { frames } of transactions()) {
    const bytes = Buffer.concat(frames).toString('latin1');
    expect(bytes).not.toContain('"ranking"');
    for (const r of ranking.values()) expect(bytes).not.toContain(content(r));
  }
  // The sealed rows, as the attacker reads them from the last image before the close: all the same size.
  const images = transactions().map((t) => t.image);
  const sizes = withImage(images[images.length - 1], (db) => db.prepare('SELECT DISTINCT length(sealed) FROM vote_sealed').pluck().all());
  expect(sizes).toHaveLength(1);
});

test('a backup taken during the vote holds no ballot', () => {
  const text = backup.toString('latin1');
  expect(text).not.toContain('"ranking"');
  expect(withImage(backup, (db) => db.prepare('SELECT COUNT(*) FROM vote_sealed').pluck().get())).toBe(VOTERS / 2 + 1);
});

test('after the close: the ballots are counted, in an order that matches neither the voting nor the members', () => {
  expect(afterClose.wal.length).toBe(0); // the close emptied the WAL: no earlier page of it survives
  const stored = withImage(afterClose.db, (db) => db.prepare('SELECT content FROM secret_ballots WHERE session_id = ?').pluck().all(sessionId) as string[]);
  expect([...stored].sort()).toEqual([...ranking.values()].map(content).sort());
  const byRow = stored.map((c) => [...ranking].find(([, r]) => content(r) === c)?.[0] ?? '');
  expect(agreements(byRow, castOrder)).toBeLessThan(CHANCE);
  expect(agreements(byRow, [...members].sort())).toBeLessThan(CHANCE);
  expect(agreements(byRow, members)).toBeLessThan(CHANCE);
  // By place in the file: the order in which the ballots' bytes sit in the pages.
  const file = afterClose.db.toString('latin1');
  const byPlace = [...ranking].sort(([, a], [, b]) => file.indexOf(content(a)) - file.indexOf(content(b))).map(([m]) => m);
  expect(agreements(byPlace, castOrder)).toBeLessThan(CHANCE);
});

test('after the close: no sealed ballot, and no part of one, is left in the file', () => {
  expect(withImage(afterClose.db, (db) => db.prepare('SELECT COUNT(*) FROM vote_sealed').pluck().get())).toBe(0);
  const last = transactions().map((t) => t.image).pop() as Buffer;
  const sealed = withImage(last, (db) => db.prepare('SELECT sealed FROM vote_sealed').pluck().all() as Buffer[]);
  expect(sealed).toHaveLength(VOTERS);
  for (const blob of sealed) expect(afterClose.db.includes(blob.subarray(100, 164))).toBe(false); // secure_delete zeroed them
});

test('by timing: nothing stored with a ballot says when it was cast', () => {
  const columns = withImage(afterClose.db, (db) => db.prepare("SELECT name FROM pragma_table_info('secret_ballots')").pluck().all());
  expect(columns).toEqual(['session_id', 'vote_id', 'ballot_key', 'content', 'proof']);
  // The command record keeps who cast and when, never what: no cast in it carries a ballot.
  const commands = withImage(afterClose.db, (db) => db.prepare("SELECT command FROM room_commands WHERE command LIKE '%vote:cast%'").pluck().all() as string[]);
  expect(commands).toHaveLength(VOTERS);
  expect(commands.every((c) => !c.includes('ranking'))).toBe(true);
});
