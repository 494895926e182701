import type { Db } from '../db';
import type { Message } from '../messages/outbox';
import { listCategories, type Category, type Panel } from '../panels/repo';
import { fieldInWords } from './correction';
import { findRecord, type RegistrantRecord, valuesOf } from './repo';

/**
 * A subject access export (issue 20, UK GDPR article 15): everything the toolkit holds about one registrant of a
 * panel, as JSON and as a readable page. The registration and the audit trail are read here; what the selection,
 * the membership and the room hold is asked of those modules by the page (they sit above this one) and handed in
 * as the parts below. Secret ballots are never among them: nothing links one to its voter (docs/voting.md).
 */

export interface Answer {
  category: string;
  question: string;
  answer: string | null;
}

/** An audit entry naming the registrant, by pseudonym as every entry does. */
export interface Activity {
  at: number;
  action: string;
  /** The kind of account that did it; null for no account (the registrant by their link, or the system). */
  by: string | null;
  detail: Record<string, unknown>;
}

export interface MembershipPart {
  status: string;
  drawId: number;
  invitedAt: number | null;
  invitationExpiresAt: number | null;
  answeredAt: number | null;
  replacedByDraw: number | null;
  roomName: string | null;
  /** Whether a fingerprint of a current invitation link is held (never the link). */
  linkFingerprintHeld: boolean;
}

export interface SelectionPart {
  committedAt: number | null;
  inCommittedPool: boolean;
  /** Their row of the committed pool: the answers every final and replacement draw uses. */
  committedAnswers: Answer[] | null;
  /** Draws (trial, final, replacement) whose result names them. */
  draws: { id: number; kind: string; finishedAt: number | null }[];
  membership: MembershipPart | null;
  invitations: { madeAt: number; expiresAt: number; current: boolean }[];
}

export interface SessionPart {
  id: number;
  title: string;
  onMemberList: boolean;
  attended: { firstAt: number; lastAt: number } | null;
  spokeSeconds: number;
  ideas: { round: string; text: string; hidden: boolean }[];
  ideasSupported: number;
  amendments: { recommendation: number; text: string; reason: string | null; status: string }[];
  minorityStatements: { recommendation: number; text: string; wrote: boolean }[];
  votes: { id: number; question: string; secret: boolean; voted: string; ballot: unknown }[];
}

export interface RegistrationPart {
  record: RegistrantRecord;
  answers: Answer[];
  categories: Category[];
}

/** The registration, erased or not, with its answers in words. */
export function registrationPart(db: Db, panelId: number, registrantId: number): RegistrationPart | undefined {
  const record = findRecord(db, panelId, registrantId);
  if (!record) return undefined;
  const categories = listCategories(db, panelId);
  const given = valuesOf(db, [record.id]).get(record.id);
  return { record, categories, answers: record.erasedAt === null ? answersInWords(categories, (c) => given?.get(c.id)) : [] };
}

/** Each category's question and the answer given (by value), in words. */
export function answersInWords(categories: Category[], valueOf: (c: Category) => string | undefined): Answer[] {
  return categories.map((c) => {
    const value = valueOf(c);
    return { category: c.label, question: c.question, answer: value === undefined ? null : (c.values.find((v) => v.value === value)?.label ?? value) };
  });
}

/**
 * The audit entries of this panel that name the registrant: as their subject (every registrant and member entry
 * is made so: registration/, membership/) or in a list of members (an invitation run). A list keeps only them:
 * the others named with them are someone else's data. The log holds no names or contacts (audit.ts).
 */
export function activityOf(db: Db, panelId: number, publicId: string): Activity[] {
  // The audit module offers a panel's latest entries, not one person's: the trail is read here, read-only.
  const rows = db
    .prepare(
      `SELECT a.at, a.action, a.detail, u.role, u.admin FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.panel_id = @panel AND (a.subject = @who OR (json_type(a.detail, '$.members') = 'array'
         AND EXISTS (SELECT 1 FROM json_each(a.detail, '$.members') WHERE value = @who)))
       ORDER BY a.id`,
    )
    .all({ panel: panelId, who: publicId }) as { at: number; action: string; detail: string; role: string | null; admin: number | null }[];
  return rows.map((r) => {
    const detail = JSON.parse(r.detail) as Record<string, unknown>;
    if (Array.isArray(detail.members)) detail.members = [publicId];
    return { at: r.at, action: r.action, by: r.role === null ? null : r.admin ? 'administrator' : r.role, detail };
  });
}

const when = (ms: number | null | undefined): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

const STATUS_WORDS: Record<string, string> = {
  selected: 'Drawn for the panel; no invitation link made yet',
  invited: 'Invited; has not answered yet',
  confirmed: 'Confirmed their place on the panel',
  declined: 'Declined the invitation',
  withdrawn: 'Left the panel (withdrew, or was erased)',
};

const CHANNEL_WORDS = { online: 'online, by themselves', phone: 'over the phone, entered by the organisers', paper: 'on a paper form, entered by the organisers' };

/** What stays of an erased registrant, and what went. */
const ERASED = {
  deleted: ['name', 'email address', 'phone number', 'address', 'postcode', 'answers to the lottery questions', 'the name they asked the room to call them', 'the keys used to spot a second registration with the same email or phone', 'the link to the household a letter of invitation went to', 'the messages sent to them, whether their email address was confirmed, and their language'],
  kept: [
    'the random pseudonym and the dates of registration, consent and erasure, how they registered and the wave of letters they answered',
    'where they stood on the panel (for example "withdrawn"), so that the seat could be filled',
    'the audit entries naming the pseudonym (never a name or contact)',
    'what they said or posted in sessions, under the pseudonym, in the sessions’ record',
    'their row (answers, no name) in the committed pool, if erased after the commitment: the draw must be checkable on exactly that list',
  ],
};

export const SECRET_BALLOTS =
  'Secret votes: whether you voted is recorded, and is shown here. How you voted is not held against your name: each secret ballot is stored with nothing that links it to its voter (not your pseudonym, an id, an order or a time), so it cannot be included here and nobody can look it up.';

const NOTES = [
  SECRET_BALLOTS,
  'Open votes: your ballot is held under your pseudonym, and is shown here.',
  'Messages: every email sent to you is listed under messages, with its subject and whether it went; a copy of each is kept, with any personal link in it sealed under a key kept outside the database. A letter inviting a household to register is addressed to "The Householder" at an address from the council\'s register, never to a name; its code is held only as a keyed fingerprint. An invitation link is emailed to you (kept for sending only sealed, under a key outside the database) or handed to you by the organisers; only a fingerprint (SHA-256) of each link is kept to check it, never the link itself.',
  'The committed pool gives a household code to people who registered at the same address as someone else, and a ticket number to every row. Neither is shown here: the household code would tell you about another person, and tickets are kept apart from names on purpose (verification.md).',
  'Other panels: a registration for another panel is a separate record, kept by that panel’s organisers.',
];

/** The export, from its parts: every time in ISO 8601 (UTC). */
export function subjectAccess(panel: Panel, parts: { registration: RegistrationPart; activity: Activity[]; selection: SelectionPart; sessions: SessionPart[]; messages: Message[] }, madeAt: number) {
  const { record, answers, categories } = parts.registration;
  const { selection } = parts;
  const m = selection.membership;
  return {
    export: { kind: 'UK GDPR subject access export', made: when(madeAt), panel: { title: panel.title, address: panel.slug }, registrant: record.publicId },
    registration: {
      pseudonym: record.publicId,
      name: record.name,
      email: record.email,
      emailConfirmed: when(record.emailConfirmedAt),
      remindersAndNewsStopped: when(record.messagesStoppedAt),
      language: record.language,
      phone: record.phone,
      address: record.address,
      postcode: record.postcode,
      answers,
      source: record.source === 'form' ? 'the registration form' : 'imported by the organisers from a file',
      channel: record.channel && CHANNEL_WORDS[record.channel],
      letter: record.wave === null && record.letterAddress === null ? null : { wave: record.wave, sentTo: record.letterAddress, addressDiffers: record.addressFlag },
      consentGiven: when(record.consentAt),
      registered: when(record.createdAt),
      erased: when(record.erasedAt),
    },
    erasure: record.erasedAt === null ? null : { erased: when(record.erasedAt), ...ERASED },
    corrections: parts.activity
      .filter((a) => a.action === 'registrant.corrected')
      .map((a) => ({
        at: when(a.at),
        fields: (Array.isArray(a.detail.fields) ? a.detail.fields : []).map((f) => fieldInWords(String(f), categories)),
        afterCommitment: a.detail.afterCommitment === true,
      })),
    selection: {
      commitmentPublished: when(selection.committedAt),
      inCommittedPool: selection.committedAt === null ? null : selection.inCommittedPool,
      answersTheDrawUses: selection.committedAnswers,
      draws: selection.draws.map((d) => ({ draw: d.id, kind: d.kind, finished: when(d.finishedAt), selected: true })),
    },
    panelStatus: m && {
      status: m.status,
      inWords: STATUS_WORDS[m.status] ?? m.status,
      drawnBy: m.drawId,
      answered: when(m.answeredAt),
      replacedByDraw: m.replacedByDraw,
      roomName: m.roomName,
    },
    invitations: {
      links: selection.invitations.map((i) => ({ made: when(i.madeAt), expires: when(i.expiresAt), current: i.current })),
      currentLinkFingerprintHeld: m?.linkFingerprintHeld ?? false,
      currentLinkExpires: when(m?.invitationExpiresAt),
    },
    messages: parts.messages.map((msg) => ({ kind: msg.kind, to: msg.to, language: msg.language, subject: msg.subject, state: msg.state, queued: when(msg.createdAt), sent: when(msg.sentAt), lastError: msg.lastError })),
    sessions: parts.sessions.map((s) => ({
      session: s.id,
      title: s.title,
      onMemberList: s.onMemberList,
      attendance: s.attended && { firstConnected: when(s.attended.firstAt), lastConnected: when(s.attended.lastAt) },
      spokeForSeconds: s.spokeSeconds,
      ideas: s.ideas,
      ideasSupported: s.ideasSupported,
      amendments: s.amendments,
      minorityStatements: s.minorityStatements,
      votes: s.votes,
    })),
    activity: parts.activity.map((a) => ({ at: when(a.at), action: a.action, by: a.by, detail: a.detail })),
    notes: NOTES,
  };
}

export type SubjectAccess = ReturnType<typeof subjectAccess>;
