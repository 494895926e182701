import { type Db, preparedOnce } from '../db';
import type { WaveCommitment, StratumLetters } from './draw';
import { DEFAULT_LETTER, letterSettings, type LetterSettings } from './letter-text';
import { DEFAULT_SETTINGS, planSettings, type PlanSettings, type Stratum } from './plan';
import type { Household } from './register';

/** A panel's mail-out: its register (if imported), the plan's settings, and the rules of registering with a code. */
export interface Mailout {
  panelId: number;
  register: number | null;
  registerSha256: string | null;
  registerRows: number;
  registerImportedAt: number | null;
  settings: PlanSettings;
  householdLimit: number;
  openRegistration: boolean;
}

interface MailoutRow {
  panel_id: number;
  register: number | null;
  register_sha256: string | null;
  register_rows: number;
  register_imported_at: number | null;
  plan: string;
  household_limit: number;
  open_registration: number;
}

const q = preparedOnce((db) => ({
  mailout: db.prepare('SELECT * FROM mailouts WHERE panel_id = ?'),
  ensure: db.prepare('INSERT INTO mailouts (panel_id) VALUES (?) ON CONFLICT DO NOTHING'),
  insertHousehold: db.prepare(`INSERT INTO households (panel_id, register, uprn, line1, line2, town, postcode, ward, lsoa, decile)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  strata: db.prepare(`SELECT ward, decile, COUNT(*) AS households FROM households h WHERE panel_id = ? AND register = ?
    AND (? = 0 OR NOT EXISTS (SELECT 1 FROM letters l WHERE l.household_id = h.id)) GROUP BY ward, decile ORDER BY ward, decile`),
  drawable: db.prepare('SELECT id, uprn, ward, decile FROM households WHERE panel_id = ? AND register = ?'),
  written: db.prepare('SELECT DISTINCT h.uprn FROM letters l JOIN households h ON h.id = l.household_id JOIN mailout_waves w ON w.id = l.wave_id WHERE w.panel_id = ?').pluck(),
  waves: db.prepare('SELECT * FROM mailout_waves WHERE panel_id = ? ORDER BY number'),
  wave: db.prepare('SELECT * FROM mailout_waves WHERE panel_id = ? AND number = ?'),
  insertLetter: db.prepare('INSERT INTO letters (wave_id, household_id, position) VALUES (?, ?, ?)'),
  insertCode: db.prepare('INSERT INTO household_codes (household_id, lookup) VALUES (?, ?) ON CONFLICT DO NOTHING'),
  invited: db.prepare(`SELECT h.id, h.uprn, h.line1, h.line2, h.postcode, h.ward, h.decile,
      (SELECT MAX(w.number) FROM letters l JOIN mailout_waves w ON w.id = l.wave_id WHERE l.household_id = h.id) AS wave,
      (SELECT COUNT(*) FROM registrants r WHERE r.household_id = h.id AND r.erased_at IS NULL) AS registered
    FROM household_codes c JOIN households h ON h.id = c.household_id WHERE c.lookup = ? AND h.panel_id = ?`),
}));

export function getMailout(db: Db, panelId: number): Mailout {
  const row = q(db).mailout.get(panelId) as MailoutRow | undefined;
  const saved = planSettings.safeParse(JSON.parse(row?.plan ?? '{}'));
  return {
    panelId,
    register: row?.register ?? null,
    registerSha256: row?.register_sha256 ?? null,
    registerRows: row?.register_rows ?? 0,
    registerImportedAt: row?.register_imported_at ?? null,
    settings: saved.success ? { ...saved.data, rates: { ...DEFAULT_SETTINGS.rates, ...saved.data.rates } } : DEFAULT_SETTINGS,
    householdLimit: row?.household_limit ?? 2,
    openRegistration: (row?.open_registration ?? 1) === 1,
  };
}

export function saveSettings(db: Db, panelId: number, settings: PlanSettings): void {
  q(db).ensure.run(panelId);
  db.prepare('UPDATE mailouts SET plan = ? WHERE panel_id = ?').run(JSON.stringify(settings), panelId);
}

export function saveRegistrationRules(db: Db, panelId: number, rules: { householdLimit: number; openRegistration: boolean }): void {
  q(db).ensure.run(panelId);
  db.prepare('UPDATE mailouts SET household_limit = ?, open_registration = ? WHERE panel_id = ?').run(rules.householdLimit, rules.openRegistration ? 1 : 0, panelId);
}

/** The letter's settings as saved, or the defaults. */
export function letterOf(db: Db, panelId: number): LetterSettings {
  const row = db.prepare('SELECT letter FROM mailouts WHERE panel_id = ?').pluck().get(panelId) as string | undefined;
  const saved = letterSettings.safeParse(JSON.parse(row ?? '{}'));
  return saved.success ? saved.data : DEFAULT_LETTER;
}

export function saveLetter(db: Db, panelId: number, letter: LetterSettings): void {
  q(db).ensure.run(panelId);
  db.prepare('UPDATE mailouts SET letter = ? WHERE panel_id = ?').run(JSON.stringify(letter), panelId);
}

/** The next register's number: written beside the current one, then put in its place (useRegister). */
export function nextRegister(db: Db, panelId: number): number {
  return ((db.prepare('SELECT MAX(register) FROM households WHERE panel_id = ?').pluck().get(panelId) as number | null) ?? 0) + 1;
}

export function insertHouseholds(db: Db, panelId: number, register: number, households: Household[]): void {
  const insert = q(db).insertHousehold;
  for (const h of households) insert.run(panelId, register, h.uprn, h.line1, h.line2, h.town, h.postcode, h.ward, h.lsoa, h.decile);
}

/** Makes `register` the panel's register, in one step; returns the number of the one it replaced, to delete. */
export function useRegister(db: Db, panelId: number, register: number, fingerprint: string, rows: number, now: number): number | null {
  q(db).ensure.run(panelId);
  const old = getMailout(db, panelId).register;
  db.prepare('UPDATE mailouts SET register = ?, register_sha256 = ?, register_rows = ?, register_imported_at = ? WHERE panel_id = ?').run(register, fingerprint, rows, now, panelId);
  return old;
}

/** Deletes up to `limit` households of a register no longer in use; how many went. */
export function deleteRegisterBatch(db: Db, panelId: number, register: number, limit: number): number {
  return db.prepare('DELETE FROM households WHERE id IN (SELECT id FROM households WHERE panel_id = ? AND register = ? LIMIT ?)').run(panelId, register, limit).changes;
}

/** Households per ward and decile; with `unwritten`, only those no wave has written to. */
export function listStrata(db: Db, mailout: Mailout, unwritten = false): Stratum[] {
  if (mailout.register === null) return [];
  return q(db).strata.all(mailout.panelId, mailout.register, unwritten ? 1 : 0) as Stratum[];
}

export function drawableHouseholds(db: Db, mailout: Mailout): { id: number; uprn: string; ward: string; decile: number | null }[] {
  if (mailout.register === null) return [];
  return q(db).drawable.all(mailout.panelId, mailout.register) as { id: number; uprn: string; ward: string; decile: number | null }[];
}

/** The UPRNs earlier waves wrote to. */
export const writtenUprns = (db: Db, panelId: number): string[] => q(db).written.all(panelId) as string[];

export interface Wave {
  id: number;
  panelId: number;
  number: number;
  kind: 'fresh' | 'reminder';
  strata: StratumLetters[];
  commitment: WaveCommitment | null;
  commitmentHash: string | null;
  createdAt: number;
  numbers: string | null;
  seed: string | null;
  drawnAt: number | null;
  letters: number;
}

interface WaveRow {
  id: number;
  panel_id: number;
  number: number;
  kind: 'fresh' | 'reminder';
  plan: string;
  commitment: string | null;
  commitment_hash: string | null;
  created_at: number;
  numbers: string | null;
  seed: string | null;
  drawn_at: number | null;
  letters: number;
}

const toWave = (r: WaveRow): Wave => ({
  id: r.id,
  panelId: r.panel_id,
  number: r.number,
  kind: r.kind,
  strata: JSON.parse(r.plan) as StratumLetters[],
  commitment: r.commitment ? (JSON.parse(r.commitment) as WaveCommitment) : null,
  commitmentHash: r.commitment_hash,
  createdAt: r.created_at,
  numbers: r.numbers,
  seed: r.seed,
  drawnAt: r.drawn_at,
  letters: r.letters,
});

export const listWaves = (db: Db, panelId: number): Wave[] => (q(db).waves.all(panelId) as WaveRow[]).map(toWave);

export function findWave(db: Db, panelId: number, number: number): Wave | undefined {
  const row = q(db).wave.get(panelId, number) as WaveRow | undefined;
  return row && toWave(row);
}

export function insertWave(db: Db, wave: Pick<Wave, 'panelId' | 'number' | 'kind' | 'strata' | 'commitment' | 'commitmentHash' | 'createdAt'>): void {
  db.prepare('INSERT INTO mailout_waves (panel_id, number, kind, plan, commitment, commitment_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    wave.panelId, wave.number, wave.kind, JSON.stringify(wave.strata), wave.commitment && JSON.stringify(wave.commitment), wave.commitmentHash, wave.createdAt,
  );
}

/** The households a wave writes to, in the draw's order, with each one's code lookup; marks the wave drawn. */
export function recordLetters(db: Db, wave: Wave, households: { id: number; lookup: string }[], drawn: { numbers: string | null; seed: string | null; at: number }): void {
  const { insertLetter, insertCode } = q(db);
  households.forEach((h, i) => {
    insertLetter.run(wave.id, h.id, i + 1);
    insertCode.run(h.id, h.lookup);
  });
  db.prepare('UPDATE mailout_waves SET numbers = ?, seed = ?, drawn_at = ?, letters = ? WHERE id = ?').run(drawn.numbers, drawn.seed, drawn.at, households.length, wave.id);
}

/** Households earlier waves wrote to where nobody has registered: a reminder's addressees. */
export function unanswered(db: Db, panelId: number): { id: number; uprn: string }[] {
  return db.prepare(`SELECT DISTINCT h.id, h.uprn FROM letters l JOIN mailout_waves w ON w.id = l.wave_id JOIN households h ON h.id = l.household_id
    WHERE w.panel_id = ? AND NOT EXISTS (SELECT 1 FROM registrants r WHERE r.household_id = h.id) ORDER BY h.uprn`).all(panelId) as { id: number; uprn: string }[];
}

export interface Response {
  label: string | number | null;
  /** Households written to (by one letter or more). */
  lettered: number;
  /** Of those, households where someone has registered with the code. */
  households: number;
  /** People registered from those households. */
  people: number;
}

/** Response to the letters so far, by the households' ward or decile. Erased registrants still count as answers. */
export function responseBy(db: Db, panelId: number, column: 'ward' | 'decile'): Response[] {
  return db.prepare(`SELECT h.${column} AS label, COUNT(*) AS lettered, COUNT(p.n) AS households, COALESCE(SUM(p.n), 0) AS people
    FROM households h
    JOIN (SELECT DISTINCT l.household_id AS id FROM letters l JOIN mailout_waves w ON w.id = l.wave_id WHERE w.panel_id = ?) sent ON sent.id = h.id
    LEFT JOIN (SELECT household_id AS id, COUNT(*) AS n FROM registrants WHERE panel_id = ? AND household_id IS NOT NULL GROUP BY household_id) p ON p.id = h.id
    GROUP BY h.${column} ORDER BY h.${column}`).all(panelId, panelId) as Response[];
}

export interface InvitedHousehold {
  id: number;
  uprn: string;
  line1: string;
  line2: string;
  postcode: string;
  ward: string;
  decile: number | null;
  /** The latest wave that wrote to it. */
  wave: number | null;
  /** How many people of the household have registered. */
  registered: number;
}

export const findInvited = (db: Db, panelId: number, lookup: string): InvitedHousehold | undefined =>
  q(db).invited.get(lookup, panelId) as InvitedHousehold | undefined;

export interface LetterRow {
  uprn: string;
  line1: string;
  line2: string;
  town: string;
  postcode: string;
  ward: string;
}

/**
 * A wave's households in postcode order, as a printer sorts mail: their ids only (30,000 numbers), so the letters
 * can be read a page at a time between turns of the event loop (lettersPage), never holding the connection.
 */
export function letterOrder(db: Db, waveId: number): number[] {
  return db.prepare(`SELECT h.id FROM letters l JOIN households h ON h.id = l.household_id
    WHERE l.wave_id = ? ORDER BY h.postcode, h.line2, h.line1, h.uprn`).pluck().all(waveId) as number[];
}

const lettersQ = preparedOnce((db) => db.prepare(`SELECT h.id, h.uprn, h.line1, h.line2, h.town, h.postcode, h.ward FROM households h
  WHERE h.id IN (SELECT value FROM json_each(?))`));

/** The addresses of these households, in the order given. */
export function lettersPage(db: Db, ids: number[]): LetterRow[] {
  const rows = new Map((lettersQ(db).all(JSON.stringify(ids)) as (LetterRow & { id: number })[]).map((r) => [r.id, r]));
  return ids.map((id) => rows.get(id)!);
}
