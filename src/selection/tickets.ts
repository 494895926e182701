import { readCsv, writeCsv } from '../csv';
import { type CommitmentFields, commitmentFields, commitmentHash } from './commitment';
import type { Commitment } from './repo';

/**
 * Tickets (issue 17): the only identifiers of people the public record carries. A ticket is a row's number in
 * the committed pool, whose rows are in an order no one chose (snapshot.ts), so a ticket says nothing about who
 * registered when, and it appears nowhere else: not in the room, not on the organiser's pages. The auditors'
 * files are the draw inputs with every pseudonym replaced by its ticket; the public sees tickets and no answers.
 */
export type Tickets = Map<string, string>;

/** Each pseudonym's ticket, T0001, T0002... in the committed pool's row order. */
export function ticketsOf(commitment: Commitment, panelSlug: string): Tickets {
  if (isLegacy(commitment, panelSlug)) return new Map(idsOf(commitment.poolCsv).map((id) => [id, id]));
  return numbered(commitment.poolCsv);
}

/** A pool file with each id replaced by its row's ticket: how a new commitment's pool is fingerprinted. */
export function auditorsPool(poolCsv: string): string {
  return auditorsFile(poolCsv, numbered(poolCsv));
}

/** The committed pool as the auditors get it: the file whose SHA-256 is in the commitment. */
export function committedPoolFile(c: Commitment, panelSlug: string): string {
  return isLegacy(c, panelSlug) ? c.poolCsv : auditorsPool(c.poolCsv);
}

/** What the commitment fixed, as published. */
export function publishedFields(c: Commitment, panelSlug: string): CommitmentFields {
  return commitmentFields({ ...c, panel: panelSlug, poolCsv: committedPoolFile(c, panelSlug) });
}

const idsOf = (poolCsv: string) => readCsv(poolCsv).rows.map((r) => r.cells.id);

function numbered(poolCsv: string): Tickets {
  const ids = idsOf(poolCsv);
  return new Map(ids.map((id, i) => [id, ticketAt(i, ids.length)]));
}

/** The ticket of row `i` (0-based) of a pool of `size`: T0001, or wider for a pool of 10,000 or more. */
export function ticketAt(i: number, size: number): string {
  return `T${String(i + 1).padStart(Math.max(4, String(size).length), '0')}`;
}

/** A draw input as the auditors get it: the same rows in the same order, each id its ticket. */
export function auditorsFile(poolCsv: string, tickets: Tickets): string {
  const { header, rows } = readCsv(poolCsv);
  return writeCsv(header, rows.map((r) => header.map((h) => (h === 'id' ? ticketFor(tickets, r.cells.id) : r.cells[h]))));
}

export function ticketFor(tickets: Tickets, id: string): string {
  const ticket = tickets.get(id);
  if (!ticket) throw new Error(`${id} is not in the committed pool`);
  return ticket;
}

/**
 * A commitment published before tickets existed fingerprinted the pool with its pseudonyms: its auditors get
 * that file as it was (its fingerprint must still match), and its tickets are its pseudonyms.
 */
export function isLegacy(c: Commitment, panelSlug: string): boolean {
  return commitmentHash(commitmentFields({ ...c, panel: panelSlug })) === c.hash;
}
