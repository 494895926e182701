import type { Response } from 'express';
import { auditView } from '../audit';
import type { AppContext } from '../context';
import { drawableSize, dropoutTableCsv, emailCounts, type Panel, registrationClosed } from '../panels/repo';
import { ALGORITHMS } from '../sortition/types';
import { percent } from '../sortition/report';
import { type Commitment, findCommitment, findDiceSummary, findDraw, listAuditors, listDraws } from './repo';
import { DEFAULT_DROPOUT_CSV, defaultAlternates } from './alternates';
import { seatableNow } from './alternate-seats';
import { sha256 } from '../tokens';
import { diceFor } from './dice';
import { DEFAULT_LIST_SIZE, entryNumber, LIST_SIZES } from '../sortition/uniform-list';
import { notFound } from '../web/errors';
import { wantsLetter } from '../membership/letters';
import { listMembers, type Member, vacancies } from '../membership/members';

/** The data of the organiser's Selection page; `extra` carries a form's errors and values back. */
export function selectionPage(ctx: AppContext, panel: Panel, extra: Record<string, unknown> = {}) {
  const { db } = ctx;
  const draws = listDraws(db, panel.id);
  const commitment = findCommitment(db, panel.id);
  const members = listMembers(db, panel.id);
  const confirmed = members.filter((m) => m.status === 'confirmed').length;
  return {
    title: `Selection: ${panel.title}`,
    panel,
    registrationOpen: !registrationClosed(panel, ctx.clock.now()),
    emails: emailCounts(db, panel.id),
    inDraw: drawableSize(db, panel.id),
    algorithms: ALGORITHMS,
    trials: draws.filter((d) => d.kind === 'trial').map(summary),
    replacements: draws.filter((d) => d.kind === 'replacement').map(summary),
    commitment,
    finalDraw: commitment?.drawId ? summary(findDraw(db, panel.id, commitment.drawId)) : undefined,
    members,
    uninvited: members.filter((m) => m.status === 'selected').length,
    unanswered: members.filter((m) => m.status === 'invited').length,
    byPost: members.filter(wantsLetter).length,
    confirmed,
    vacancies: vacancies(members).length,
    replacing: draws.some((d) => d.kind === 'replacement' && d.status === 'running'),
    complete: confirmed === panel.panelSize,
    auditors: listAuditors(db, panel.id),
    auditedDraws: draws.filter((d) => d.kind !== 'trial' && d.status === 'done'),
    dice: commitment?.dice ? diceFacts(ctx, panel.id, commitment.dice.listSize) : undefined,
    alternates: alternatesFacts(ctx, panel, commitment, members),
    listSizes: LIST_SIZES.map((size) => ({ size, dice: diceFor(size), first: entryNumber(0, size), last: entryNumber(size - 1, size), chosen: size === DEFAULT_LIST_SIZE })),
    ...extra,
  };
}

/** What the Selection page says of alternates: the dropout table (set, or fixed by the commitment), and the final draw's list. */
function alternatesFacts(ctx: AppContext, panel: Panel, commitment: Commitment | undefined, everyone: Member[]) {
  const final = commitment?.drawId ? findDraw(ctx.db, panel.id, commitment.drawId) : undefined;
  const list = final?.outcome?.alternates?.list ?? [];
  const members = new Set(everyone.map((m) => m.publicId));
  return {
    seatable: commitment ? seatableNow(ctx.db, panel.id, commitment, everyone) : 0,
    table: commitment ? (commitment.alternates?.dropoutCsv ?? '') : (dropoutTableCsv(ctx.db, panel.id) ?? DEFAULT_DROPOUT_CSV),
    chosen: commitment?.alternates?.count ?? 0,
    suggested: defaultAlternates(panel.panelSize),
    dropoutSha256: commitment?.alternates ? sha256(commitment.alternates.dropoutCsv) : undefined,
    waiting: list.filter((id) => !members.has(id)).length,
  };
}

/** What the pages say of a final pick by dice: the range, the dice, and how far the list is from the lottery. */
function diceFacts(ctx: AppContext, panelId: number, listSize: number) {
  const summary = findDiceSummary(ctx.db, panelId);
  return {
    listSize,
    dice: diceFor(listSize),
    first: entryNumber(0, listSize),
    last: entryNumber(listSize - 1, listSize),
    example: entryNumber(Math.min(417, listSize - 1), listSize),
    maxChange: summary && `${(summary.maxChange * 100).toFixed(2)} percentage points`,
    lowestList: summary && percent(Math.min(...summary.listChances)),
    lowestLottery: summary && percent(Math.min(...summary.lotteryChances)),
    lotteryPanels: summary?.lotteryPanels,
  };
}

const PLACES = ['units', 'tens', 'hundreds', 'thousands'];

/**
 * The sheet for the live draw (views/pages/admin/dice-sheet.hbs): the numbers of the list, what each die says, the
 * fingerprint, and where to type the roll. Only for a commitment that chose dice.
 */
export function diceSheet(ctx: AppContext, panel: Panel) {
  const commitment = findCommitment(ctx.db, panel.id);
  if (!commitment?.dice) throw notFound('A final pick by dice for this panel');
  const facts = diceFacts(ctx, panel.id, commitment.dice.listSize);
  return {
    title: `The dice: ${panel.title}`,
    panel,
    commitment,
    ...facts,
    places: Array.from({ length: facts.dice }, (_, i) => ({ n: i + 1, place: PLACES[facts.dice - 1 - i], worth: 10 ** (facts.dice - 1 - i), digit: facts.example[i] })),
    listSizeShown: new Intl.NumberFormat('en-GB').format(facts.listSize),
    rolled: commitment.numbers,
    site: ctx.config.PUBLIC_URL?.replace(/\/$/, '') ?? '',
  };
}

function summary<T extends { outcome: { minProbability: number } | null } | undefined>(draw: T) {
  return draw && { ...draw, lowest: draw.outcome ? percent(draw.outcome.minProbability) : undefined };
}

/**
 * Renders the Selection page (with `res`'s status: a form's errors come back on it), and records that its reader
 * saw the members' names and contacts it lists.
 */
export function renderSelection(ctx: AppContext, res: Response, panel: Panel, extra: Record<string, unknown> = {}): void {
  const page = selectionPage(ctx, panel, extra);
  auditView(ctx, res, panel.id, 'members', page.members.length);
  res.render('pages/admin/selection', page);
}
