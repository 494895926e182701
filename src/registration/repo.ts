import crypto from 'node:crypto';
import { type Db, preparedOnce } from '../db';
import { IN_DRAW } from '../panels/repo';
import { emailKey, phoneKey, type Person } from './person';

export interface NewRegistrant extends Person {
  /** The chosen value's id, one per category. */
  valueIds: number[];
  source: 'form' | 'import';
  consentAt: number | null;
  /** Through the form: online, or taken by staff over the phone or from paper. */
  channel?: 'online' | 'phone' | 'paper';
  /** The invited household (issue 21), its latest wave, and why the address typed may not be its address. */
  householdId?: number | null;
  wave?: number | null;
  addressFlag?: string | null;
  /** The language they registered in (issue 22): their messages and pages follow it. */
  language?: string;
}

export interface PoolRow {
  id: number;
  publicId: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: string;
  postcode: string;
  source: string;
  createdAt: number;
  /** The household invited by letter, if they registered with its code. */
  householdId: number | null;
  /** When their email address was confirmed by the link in its message (issue 22); null if not (or no email). */
  emailConfirmedAt: number | null;
}

/** A pseudonymous id for public pages and exports: R- and 8 characters of Crockford base32. */
export function newPublicId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return 'R-' + Array.from(crypto.randomBytes(8), (b) => alphabet[b % 32]).join('');
}

/** Statements prepared once per database (rule 6): an import of 100,000 rows runs each of them 100,000 times. */
const statements = preparedOnce((db) => ({
    insertRegistrant: db.prepare(
      `INSERT INTO registrants (panel_id, public_id, name, email, phone, address, postcode, email_key, phone_key,
         source, consent_at, created_at, channel, household_id, wave, address_flag, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertValue: db.prepare(
      `INSERT INTO registrant_values (registrant_id, category_id, value_id)
       SELECT ?, category_id, id FROM category_values WHERE id = ?`,
    ),
    byEmail: db.prepare('SELECT 1 FROM registrants WHERE panel_id = ? AND email_key = ?'),
    byPhone: db.prepare('SELECT 1 FROM registrants WHERE panel_id = ? AND phone_key = ?'),
}));

export function insertRegistrant(db: Db, panelId: number, person: NewRegistrant, now: number): string {
  const publicId = newPublicId();
  const id = statements(db).insertRegistrant.run(
    panelId,
    publicId,
    person.name,
    person.email ?? null,
    person.phone ?? null,
    person.address,
    person.postcode,
    person.email ? emailKey(person.email) : null,
    person.phone ? phoneKey(person.phone) : null,
    person.source,
    person.consentAt,
    now,
    person.source === 'form' ? (person.channel ?? 'online') : null,
    person.householdId ?? null,
    person.wave ?? null,
    person.addressFlag ?? null,
    person.language ?? 'en',
  ).lastInsertRowid;
  const { insertValue } = statements(db);
  for (const valueId of person.valueIds) insertValue.run(id, valueId);
  return publicId;
}

/** A member who switches language on their own page is written to in it from then on. */
export function setRegistrantLanguage(db: Db, registrantId: number, language: string): void {
  db.prepare('UPDATE registrants SET language = ? WHERE id = ? AND erased_at IS NULL').run(language, registrantId);
}

/** Which of the email and phone is already registered for this panel, if either. */
export function findDuplicate(db: Db, panelId: number, person: Pick<Person, 'email' | 'phone'>): 'email' | 'phone' | undefined {
  if (person.email && statements(db).byEmail.get(panelId, emailKey(person.email))) {
    return 'email';
  }
  if (person.phone && statements(db).byPhone.get(panelId, phoneKey(person.phone))) {
    return 'phone';
  }
  return undefined;
}

const POOL_COLUMNS = `id, public_id AS publicId, name, email, phone, address, postcode, source, created_at AS createdAt, household_id AS householdId,
  email_confirmed_at AS emailConfirmedAt`;

export function listPool(db: Db, panelId: number, limit: number, offset: number): PoolRow[] {
  return db
    .prepare(
      `SELECT ${POOL_COLUMNS} FROM registrants WHERE panel_id = ? AND erased_at IS NULL ORDER BY id LIMIT ? OFFSET ?`,
    )
    .all(panelId, limit, offset) as PoolRow[];
}

/** A LIKE pattern (with ESCAPE '\\') that matches `text` anywhere in a value, its % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Whether a search reads as a phone number (digits, spaces, + and brackets), so it is compared as one too. */
const PHONE_LIKE = /^[\d\s()+.-]*\d[\d\s()+.-]*$/;

const MATCHES = (name: string) => `panel_id = @panel AND erased_at IS NULL AND (${name} LIKE @text ESCAPE '\\' OR email LIKE @text ESCAPE '\\'
  OR public_id LIKE @text ESCAPE '\\' OR phone LIKE @text ESCAPE '\\' OR phone_key LIKE @phone ESCAPE '\\')`;

/**
 * Searches in SQL, never by loading the pool. SQLite's LIKE ignores case in ASCII letters only, so a search with
 * other letters ("łukasz") compares names lower-cased by a function of ours: several times slower, so only then.
 */
const poolQueries = preparedOnce((db) => {
  db.function('cp_lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : null));
  const of = (name: string) => ({
    page: db.prepare(`SELECT ${POOL_COLUMNS}, COUNT(*) OVER () AS matches FROM registrants WHERE ${MATCHES(name)} ORDER BY id LIMIT @limit OFFSET @offset`),
    count: db.prepare(`SELECT COUNT(*) FROM registrants WHERE ${MATCHES(name)}`).pluck(),
  });
  return {
    ascii: of('name'),
    folded: of('cp_lower(name)'),
    valuesOf: db.prepare(
      `SELECT rv.registrant_id AS rid, rv.category_id AS cid, v.value AS value FROM registrant_values rv
       JOIN category_values v ON v.id = rv.value_id WHERE rv.registrant_id IN (SELECT value FROM json_each(?))`,
    ),
  };
});

/**
 * The people in the pool whose name, email, phone or pseudonym contains `query`, whatever its case (a phone also
 * however it is spaced), a page at a time in registration order, and how many match in all.
 */
export function searchPool(db: Db, panelId: number, query: string, limit: number, offset: number): { total: number; people: PoolRow[] } {
  const ascii = /^[\x20-\x7e]*$/.test(query);
  const q = poolQueries(db)[ascii ? 'ascii' : 'folded'];
  const text = containsPattern(ascii ? query : query.toLowerCase());
  const phone = PHONE_LIKE.test(query) ? containsPattern(phoneKey(query)) : null;
  const rows = q.page.all({ panel: panelId, text, phone, limit, offset }) as (PoolRow & { matches: number })[];
  // A page past the last has no rows to carry the count.
  const total = rows.length ? rows[0].matches : offset > 0 ? (q.count.get({ panel: panelId, text, phone }) as number) : 0;
  return { total, people: rows.map(({ matches: _, ...row }) => row) };
}

/** The category values of these registrants (registrant id -> category id -> value): a page's worth. */
export function valuesOf(db: Db, registrantIds: number[]): Map<number, Map<number, string>> {
  const rows = poolQueries(db).valuesOf.all(JSON.stringify(registrantIds)) as { rid: number; cid: number; value: string }[];
  const map = new Map<number, Map<number, string>>();
  for (const { rid, cid, value } of rows) {
    if (!map.has(rid)) map.set(rid, new Map());
    map.get(rid)?.set(cid, value);
  }
  return map;
}

export function findRegistrant(db: Db, panelId: number, id: number): PoolRow | undefined {
  return db
    .prepare(`SELECT ${POOL_COLUMNS} FROM registrants WHERE panel_id = ? AND id = ? AND erased_at IS NULL`)
    .get(panelId, id) as PoolRow | undefined;
}

/**
 * A page of the people who go into the draw (IN_DRAW) in registration order, those after `afterId` with their category values
 * (registrant id -> category id -> value): for reading a large pool a page at a time, between turns of the
 * event loop.
 */
export function poolPage(db: Db, panelId: number, afterId: number, limit: number): { people: PoolRow[]; values: Map<number, Map<number, string>> } {
  const people = db
    .prepare(`SELECT ${POOL_COLUMNS} FROM registrants r WHERE r.panel_id = ? AND r.id > ? AND ${IN_DRAW} ORDER BY r.id LIMIT ?`)
    .all(panelId, afterId, limit) as PoolRow[];
  const values = new Map<number, Map<number, string>>();
  if (!people.length) return { people, values };
  const rows = db
    .prepare(
      `SELECT rv.registrant_id AS rid, rv.category_id AS cid, v.value AS value FROM registrant_values rv
       JOIN category_values v ON v.id = rv.value_id WHERE rv.registrant_id BETWEEN ? AND ?`,
    )
    .all(people[0].id, people[people.length - 1].id) as { rid: number; cid: number; value: string }[];
  for (const { rid, cid, value } of rows) {
    if (!values.has(rid)) values.set(rid, new Map());
    values.get(rid)?.set(cid, value);
  }
  return { people, values };
}

/** Category values per registrant: registrant id -> category id -> value. */
export function poolValues(db: Db, panelId: number): Map<number, Map<number, string>> {
  const rows = db
    .prepare(
      `SELECT rv.registrant_id AS rid, rv.category_id AS cid, v.value AS value
       FROM registrant_values rv JOIN registrants r ON r.id = rv.registrant_id
       JOIN category_values v ON v.id = rv.value_id WHERE r.panel_id = ? AND r.erased_at IS NULL`,
    )
    .all(panelId) as { rid: number; cid: number; value: string }[];
  const map = new Map<number, Map<number, string>>();
  for (const { rid, cid, value } of rows) {
    if (!map.has(rid)) map.set(rid, new Map());
    map.get(rid)?.set(cid, value);
  }
  return map;
}

/**
 * Deletes a registrant's personal data and answers, and the link to the household a letter went to (its address
 * would say where they live); what stays (a random pseudonym, the panel, the dates, the wave) cannot identify them.
 */
export function eraseRegistrant(db: Db, id: number, now: number): void {
  db.prepare(
    `UPDATE registrants SET name = NULL, email = NULL, phone = NULL, address = NULL, postcode = NULL,
       email_key = NULL, phone_key = NULL, household_id = NULL, address_flag = NULL, email_confirmed_at = NULL, messages_stopped_at = NULL,
       confirm_hash = NULL, language = NULL, erased_at = ? WHERE id = ?`,
  ).run(now, id);
  db.prepare('DELETE FROM registrant_values WHERE registrant_id = ?').run(id);
  // The messages sent to them name them and hold their address: they go too.
  db.prepare('DELETE FROM messages WHERE registrant_id = ?').run(id);
  db.prepare('DELETE FROM session_notices WHERE registrant_id = ?').run(id);
}

/** Every registrant's answers, by pseudonym: category key -> value (for the room's tables and airtime by group). */
export function answersOf(db: Db, panelId: number): Map<string, Record<string, string>> {
  const rows = db
    .prepare(
      `SELECT r.public_id AS member, c.key AS category, v.value AS value FROM registrants r
       JOIN registrant_values rv ON rv.registrant_id = r.id JOIN categories c ON c.id = rv.category_id
       JOIN category_values v ON v.id = rv.value_id WHERE r.panel_id = ?`,
    )
    .all(panelId) as { member: string; category: string; value: string }[];
  const map = new Map<string, Record<string, string>>();
  for (const row of rows) map.set(row.member, { ...map.get(row.member), [row.category]: row.value });
  return map;
}

/** Everything the registrants table holds about one registrant, erased or not: for a subject access export. */
export interface RegistrantRecord {
  id: number;
  publicId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
  source: 'form' | 'import';
  consentAt: number | null;
  createdAt: number;
  erasedAt: number | null;
  /** How a registration through the form came in (issue 21); null for an import. */
  channel: 'online' | 'phone' | 'paper' | null;
  /** For a registration with a letter's code: the wave of the letter, and the address it went to. */
  wave: number | null;
  letterAddress: string | null;
  addressFlag: string | null;
  /** When the email address was confirmed by the link in its message (issue 22), and the registration's language. */
  emailConfirmedAt: number | null;
  /** When they asked for no more reminders or news by email (messages/stop.ts); null if not. */
  messagesStoppedAt: number | null;
  language: string | null;
}

export function findRecord(db: Db, panelId: number, id: number): RegistrantRecord | undefined {
  return db
    .prepare(
      `SELECT r.id, r.public_id AS publicId, r.name, r.email, r.phone, r.address, r.postcode, r.source, r.consent_at AS consentAt,
         r.created_at AS createdAt, r.erased_at AS erasedAt, r.channel, r.wave, r.address_flag AS addressFlag,
         r.email_confirmed_at AS emailConfirmedAt, r.messages_stopped_at AS messagesStoppedAt, r.language,
         CASE WHEN h.id IS NULL THEN NULL ELSE h.line1 || CASE WHEN h.line2 = '' THEN '' ELSE ', ' || h.line2 END || ', ' || h.postcode END AS letterAddress
       FROM registrants r LEFT JOIN households h ON h.id = r.household_id WHERE r.panel_id = ? AND r.id = ?`,
    )
    .get(panelId, id) as RegistrantRecord | undefined;
}

/** Which of the email and phone another registration of this panel has already, if either. */
export function contactTakenByOther(db: Db, panelId: number, id: number, person: Pick<Person, 'email' | 'phone'>): 'email' | 'phone' | undefined {
  const taken = (column: 'email_key' | 'phone_key', key: string) =>
    db.prepare(`SELECT 1 FROM registrants WHERE panel_id = ? AND ${column} = ? AND id <> ?`).get(panelId, key, id) !== undefined;
  if (person.email && taken('email_key', emailKey(person.email))) return 'email';
  if (person.phone && taken('phone_key', phoneKey(person.phone))) return 'phone';
  return undefined;
}

/** Replaces a registrant's personal fields and answers (one value id per category) with corrected ones. */
export function updateRegistrant(db: Db, id: number, person: Person, valueIds: number[]): void {
  db.prepare(
    `UPDATE registrants SET name = ?, email = ?, phone = ?, address = ?, postcode = ?, email_key = ?, phone_key = ?
     WHERE id = ? AND erased_at IS NULL`,
  ).run(
    person.name,
    person.email ?? null,
    person.phone ?? null,
    person.address,
    person.postcode,
    person.email ? emailKey(person.email) : null,
    person.phone ? phoneKey(person.phone) : null,
    id,
  );
  db.prepare('DELETE FROM registrant_values WHERE registrant_id = ?').run(id);
  const { insertValue } = statements(db);
  for (const valueId of valueIds) insertValue.run(id, valueId);
}

/** The pseudonyms of the panel's registrants who were erased: kept as pseudonyms only, never to be asked or seated. */
export function erasedPublicIds(db: Db, panelId: number): Set<string> {
  return new Set(db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? AND erased_at IS NOT NULL').pluck().all(panelId) as string[]);
}
