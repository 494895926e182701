import PDFDocument from 'pdfkit';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import { registerFonts, unprintable } from '../mailout/fonts';
import { MARGIN } from '../mailout/page';
import { letterOf } from '../mailout/repo';
import { panelMessage } from '../messages/wording';
import type { Panel } from '../panels/repo';
import { localise } from '../panels/translations';
import { findRegistrant } from '../registration/repo';
import { languageOf } from '../web/i18n';
import { drawLetter, type LetterPage } from './letter-layout';
import type { Membership } from './lifecycle';
import { listMembers, type Member } from './members';

/**
 * Invitation letters by post (issue 22) for the people drawn who gave no email address and have not answered
 * yet: one page each, in their own language, with their personal link as text and as a QR code, a day to reply
 * by and the number to call. The words are views/messages/<language>/invitation-letter.txt.
 *
 * Only a link's hash is kept, so a letter cannot print a link made before: printing makes each member a new
 * link as "New link" does (Membership.inviteAgain), and the one they had stops working. A letter whose words the
 * fonts cannot print in the member's language (fonts.ts) is printed in English, and says so; one whose name or
 * address cannot be printed is not printed, and the letters page says why.
 */
export interface LetterCandidate {
  member: Member;
  /** Why no letter can be printed for them, if none can. */
  problem?: string;
}

/** Whether a member is sent a letter: drawn, holding a seat, not answered yet, and no email address. */
/** Who gets a letter by post: no email address, and not yet answered. */
export const wantsLetter = (m: Member) => !m.email && (m.status === 'selected' || m.status === 'invited');

/** The members a letter goes to, each with why theirs cannot be printed, if it cannot. */
export function letterCandidates(ctx: AppContext, panel: Panel, site: string): LetterCandidate[] {
  return listMembers(ctx.db, panel.id)
    .filter(wantsLetter)
    .map((member) => {
      const prepared = prepare(ctx, panel, member, ctx.clock.now(), site);
      return 'problem' in prepared ? { member, problem: prepared.problem } : { member };
    });
}

export interface PrintRequest {
  /** One member's letter only; otherwise everyone's that can be printed. */
  memberId?: number;
  /** The day to answer by: midnight UTC of that date. */
  replyBy: number;
  /** The site's address for the links, as the invitation links page makes them (web/site-url.ts). */
  site: string;
  userId: number | null;
}

/** Makes each member a new link and prints their letters, as one PDF; how many letters it holds. */
export async function printLetters(ctx: AppContext, membership: Membership, panel: Panel, request: PrintRequest): Promise<{ pdf: Buffer; letters: number }> {
  if (!panel.details.contactPhone) {
    throw new DomainError('conflict', 'The letters tell people what number to call to answer by phone, and this panel has none yet. Add a contact phone number (Edit the panel, under Contact), then print the letters.', 'No phone number to print');
  }
  let members = listMembers(ctx.db, panel.id).filter(wantsLetter);
  if (request.memberId !== undefined) {
    members = members.filter((m) => m.id === request.memberId);
    if (members.length === 0) throw new DomainError('conflict', 'That member is not waiting for a letter: they have an email address, have answered already, or have left the panel. Go back to the letters page and pick them from its list.', 'No letter to print');
  }
  const prepared = members.map((m) => ({ member: m, ...prepare(ctx, panel, m, request.replyBy, request.site) }));
  const ready = prepared.flatMap((p) => ('problem' in p ? [] : [p]));
  if (ready.length === 0) {
    const why = prepared.find((p) => 'problem' in p);
    throw new DomainError('conflict', why && 'problem' in why ? `No letter can be printed: ${why.problem}` : 'Nobody is waiting for a letter: everyone drawn without an email address has answered.', 'No letter to print');
  }
  const pages = ready.map(({ member, page }) => {
    const { token } = membership.inviteAgain(panel.id, member.id, request.userId);
    return { ...page, link: `${request.site}/invite/${token}` };
  });
  return { pdf: await pdfOf(panel, pages), letters: pages.length };
}

/**
 * The PDF made whole before it is sent (a panel's members are a few dozen pages at most), so a letter that failed
 * part way gives an error page, not half a file. The streaming writer of the stage-one letters (mailout/letters.ts)
 * is for tens of thousands of pages in one layout; these are few, each laid out on its own.
 */
function pdfOf(panel: Panel, pages: LetterPage[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, autoFirstPage: false, info: { Title: `Invitation letters: ${panel.title}`, Author: pages[0]?.sender ?? panel.title } });
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.once('end', () => resolve(Buffer.concat(chunks)));
    doc.once('error', reject);
  });
  for (const page of pages) drawLetter(doc, page);
  doc.end();
  return ended;
}

const FSI = '\u2068';
const PDI = '\u2069';
/** A value set into the words in its own direction (a phone number or an English date inside Arabic stays whole). */
const isolate = (s: string) => (s ? `${FSI}${s}${PDI}` : '');

const day = (language: string, at: number, timeZone: string) =>
  new Intl.DateTimeFormat(languageOf(language).tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(at);

/** The letter's words in `language`, and what goes round them (all but the link). */
function wordsOf(ctx: AppContext, original: Panel, member: Member, address: string[], language: string, replyBy: number, site: string): Omit<LetterPage, 'link'> {
  const panel = localise(ctx.db, original, [], language).panel;
  const d = panel.details;
  const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
  const vars = { name: member.name ?? '', panel: panel.title, question: panel.question, dates: d.dates, venue: d.venue, expenses: d.expenses, access: d.access, contact, phone: d.contactPhone, contactName: d.contactName, replyBy: day(language, replyBy, 'UTC') };
  const words = panelMessage(ctx.db, original.id, 'invitation-letter', language, { ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, isolate(v)])), site });
  return {
    dir: languageOf(language).dir,
    sender: letterOf(ctx.db, original.id).sender || original.title,
    date: day(language, ctx.clock.now(), 'Europe/London'),
    address,
    heading: words.subject,
    paragraphs: words.text.trim().split(/\n{2,}/),
  };
}

/** A member's letter, or why it cannot be printed. */
function prepare(ctx: AppContext, panel: Panel, member: Member, replyBy: number, site: string): { page: Omit<LetterPage, 'link'> } | { problem: string } {
  const registrant = findRegistrant(ctx.db, panel.id, member.registrantId);
  const lines = (registrant?.address ?? '').split(/\r?\n|,/).map((l) => l.trim()).filter(Boolean);
  if (!member.name || lines.length === 0 || !registrant?.postcode) return { problem: `${member.publicId} has no name or postal address on their registration. Correct it on their record, or call them.` };
  const address = [member.name, ...lines, registrant.postcode];
  const cannot = unprintable(address.join(' '));
  if (cannot.length) return { problem: `${member.publicId}'s name or address has letters the letters' fonts cannot print (${cannot.slice(0, 5).join(' ')}). Give them their link another way: "New link" on the Selection page.` };
  const own = languageOf(member.language).code === 'qps' ? 'en' : languageOf(member.language).code;
  const words = wordsOf(ctx, panel, member, address, own, replyBy, site);
  if (!unprintable(textOf(words)).length) return { page: words };
  // The fonts have no letters for this language's script: the English letter, saying why.
  const english = wordsOf(ctx, panel, member, address, 'en', replyBy, site);
  const note = 'We cannot print letters in your language yet, so this letter is in English. Please call us if you would like help in your language.';
  const missing = unprintable(textOf(english));
  if (missing.length) return { problem: `The panel's words for the letter have characters the letters' fonts cannot print (${missing.slice(0, 5).join(' ')}). Change them on the panel's page.` };
  return { page: { ...english, note } };
}

const textOf = (w: Omit<LetterPage, 'link'>) => [w.sender, w.date, w.heading, w.note ?? '', ...w.paragraphs].join('\n');
