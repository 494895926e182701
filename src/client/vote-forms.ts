import type { Immutable } from 'immer';
import { t } from './words';
import type { Vote } from '../room/state';
import { scaleLabels } from '../voting/tally';
import type { Ballot, VoteSettings } from '../voting/types';
import { $, element, oneOf, onSubmit } from './dom';
import { clearProblem, showProblem } from './form-problem';
import { parsePaper } from './paper';
import { wireVoteSetup } from './vote-setup';
import type { View } from './view';

/**
 * The vote forms: a panellist's ballot for the vote's method and the tellers' paper count; each built, read and
 * checked here, and sent (voting.ts renders the votes themselves; vote-setup.ts is the form that opens one).
 */

/** The ballot form for this vote's method; built once per vote, so a half-filled ballot survives updates. */
export function buildBallot(vote: Immutable<Vote>): void {
  const form = $<HTMLFormElement>('ballot');
  form.dataset.vote = String(vote.id);
  form.dataset.method = vote.settings.method;
  unconfirm();
  $('ballot-problem').textContent = '';
  const fields = $('ballot-fields');
  const s = vote.settings;
  const radios = (name: string, choices: [string, string][]) => {
    const set = element('fieldset');
    set.append(element('legend', vote.question));
    for (const [value, label] of choices) {
      const row = element('label', '', 'choice');
      const input = element('input');
      input.type = 'radio';
      input.name = name;
      input.value = value;
      row.append(input, ` ${label}`);
      set.append(row);
    }
    return set;
  };
  if (s.method === 'threshold') fields.replaceChildren(radios('choice', [['agree', t('agree')], ['disagree', t('disagree')], ['abstain', t('abstain')]]));
  if (s.method === 'consent') {
    const reason = element('textarea');
    reason.name = 'reason';
    reason.maxLength = 500;
    reason.rows = 2;
    reason.id = 'objection';
    const label = element('label', t('objectWhy'));
    label.htmlFor = 'objection';
    fields.replaceChildren(radios('choice', [['consent', t('consent')], ['object', t('object')], ['abstain', t('abstain')]]), label, reason);
  }
  if (s.method === 'scale') {
    const scale = s.scale ?? 'likert5';
    fields.replaceChildren(radios('level', [...scaleLabels(scale).map((_, i): [string, string] => [String(i + 1), `${i + 1}. ${t(`${scale}.${i + 1}`)}`]), ['0', t('abstain')]]));
  }
  if (s.method === 'approval' || s.method === 'ranked') fields.replaceChildren(...(ticks(s) ? tickBoxes(vote) : numberBoxes(s)));
}

/** Approval with one dot an option is ticking the options; more dots than one, or a ranking, is numbers. */
const ticks = (s: Immutable<VoteSettings>) => s.method === 'approval' && (s.dots?.perOption ?? 1) === 1;

/** A tick box for each option (value 1: one dot), read back as the approval ballot's dots. */
function tickBoxes(vote: Immutable<Vote>): HTMLElement[] {
  const { options, dots } = vote.settings;
  const most = dots?.perVoter ?? options.length;
  const set = element('fieldset');
  set.append(element('legend', vote.question), element('p', most >= options.length ? t('tickAll') : t('tickUpTo', { count: most }), 'hint'));
  for (const [i, option] of options.entries()) {
    const row = element('label', '', 'choice');
    const input = element('input');
    input.type = 'checkbox';
    input.name = `option-${i}`;
    input.value = '1';
    row.append(input, ` ${option}`);
    set.append(row);
  }
  return [set];
}

/** A number beside each option: the dots put on it, or its place in the ranking. */
function numberBoxes(s: Immutable<VoteSettings>): HTMLElement[] {
  const approval = s.method === 'approval';
  const max = approval ? (s.dots?.perOption ?? 1) : s.options.length;
  const hint = approval ? t('dotsHint', { dots: s.dots?.perVoter ?? s.options.length, max }) : t('rankHint');
  return [
    element('p', hint, 'hint'),
    ...s.options.map((option, i) => {
      const label = element('label', `${option} `);
      const input = element('input');
      input.type = 'number';
      input.min = approval ? '0' : '1';
      input.max = String(max);
      input.name = `option-${i}`;
      input.inputMode = 'numeric';
      label.append(input);
      return label;
    }),
  ];
}

/** One tick box per member, to say who voted on paper (one for each ballot, counted or spoiled); built once per vote. */
export function buildPaperMembers(vote: number, members: readonly string[], name: (member: string) => string): void {
  $('paper').dataset.vote = String(vote);
  $('paper-members').replaceChildren(
    element('legend', 'Who voted on paper: tick one member for each ballot, counted or spoiled'),
    ...members.map((member) => {
      const label = element('label', '', 'choice');
      const input = element('input');
      input.type = 'checkbox';
      input.value = member;
      label.append(input, ` ${name(member)} (${member})`);
      return label;
    }),
  );
}

function readBallot(form: HTMLFormElement, vote: Immutable<Vote>): Ballot | string {
  const data = new FormData(form);
  const value = (name: string) => String(data.get(name) ?? '');
  switch (vote.settings.method) {
    case 'threshold': {
      const choice = oneOf(value('choice'), ['agree', 'disagree', 'abstain'] as const);
      return choice ? { kind: 'threshold', choice } : t('chooseThreshold');
    }
    case 'consent': {
      const choice = oneOf(value('choice'), ['consent', 'object', 'abstain'] as const);
      return choice ? { kind: 'consent', choice, ...(value('reason').trim() ? { reason: value('reason').trim() } : {}) } : t('chooseConsent');
    }
    case 'scale':
      return value('level') ? { kind: 'scale', level: Number(value('level')) } : t('chooseLevel');
    case 'approval': {
      const dots = vote.settings.options.map((_, i) => Number(value(`option-${i}`) || 0));
      return tooMany(vote.settings, dots) ?? { kind: 'approval', dots };
    }
    case 'ranked': {
      const ranking = rankingOf(vote.settings.options.map((_, i) => Number(value(`option-${i}`) || 0)));
      return typeof ranking === 'string' ? ranking : { kind: 'ranked', ranking };
    }
  }
}

/** What is wrong with an approval ballot that uses more dots than a panellist has, if it does. */
function tooMany(s: Immutable<VoteSettings>, dots: number[]): string | undefined {
  const most = s.dots?.perVoter ?? s.options.length;
  const used = dots.reduce((a, b) => a + b, 0);
  if (used <= most) return undefined;
  return t(ticks(s) ? 'tooManyTicks' : 'tooManyDots', { used, most });
}

/**
 * The ranking that the numbers beside the options give (option indices, first choice first; 0 for an option left
 * out), or what is wrong with them: each choice needs its own number, counting up from 1 without gaps.
 */
function rankingOf(numbers: readonly number[]): number[] | string {
  const given = numbers.map((rank, i) => ({ i, rank })).filter((r) => r.rank > 0).sort((a, b) => a.rank - b.rank);
  const shared = given.find((r, place) => given[place + 1]?.rank === r.rank);
  if (shared) return t('sameNumber', { count: given.filter((r) => r.rank === shared.rank).length, rank: shared.rank });
  const gap = given.findIndex((r, place) => r.rank !== place + 1);
  if (gap >= 0) return t('gap', { number: gap + 1 });
  return given.map((r) => r.i);
}

/** Nothing ticked, dotted or ranked: the ballot is an abstention. */
const abstains = (ballot: Ballot) => (ballot.kind === 'approval' && ballot.dots.every((d) => d === 0)) || (ballot.kind === 'ranked' && ballot.ranking.length === 0);

/** An empty ballot is cast only on a second tap of the button, once the panellist is told it is an abstention. */
function confirmed(v: View, form: HTMLFormElement, vote: Immutable<Vote>, ballot: Ballot): boolean {
  if (!abstains(ballot) || form.dataset.confirm === 'abstain') return true;
  form.dataset.confirm = 'abstain';
  $('ballot-cast').textContent = t('castAbstain');
  showProblem(v, 'ballot-problem', t(vote.settings.method === 'ranked' ? 'emptyRanked' : ticks(vote.settings) ? 'emptyTicked' : 'emptyDots'));
  return false;
}

/** Back to a plain "Cast my vote": the ballot changed, or was cast. */
function unconfirm(): void {
  delete $('ballot').dataset.confirm;
  $('ballot-cast').textContent = t('cast');
}

/** A count added, by whichever teller, settles what was wrong with an earlier one: its line is cleared. */
export function notePaperCount(v: View, vote: Immutable<Vote>): void {
  const form = $('paper');
  const added = `${vote.id}:${vote.paper.accepted + vote.paper.spoiled}`;
  if (form.dataset.added !== undefined && form.dataset.added !== added) clearProblem(v, 'paper-problem');
  form.dataset.added = added;
}

export function wireVotes(latest: () => View | undefined): void {
  wireVoteSetup(latest);
  onSubmit('ballot', async (form) => {
    const v = latest();
    const vote = v?.state.votes.find((x) => String(x.id) === form.dataset.vote);
    if (!v || !vote) return;
    const ballot = readBallot(form, vote);
    if (typeof ballot === 'string') return showProblem(v, 'ballot-problem', ballot);
    if (!confirmed(v, form, vote, ballot)) return;
    clearProblem(v, 'ballot-problem');
    unconfirm();
    await v.cast(vote.id, ballot);
  });
  $('ballot').addEventListener('input', () => {
    const v = latest();
    if (v) clearProblem(v, 'ballot-problem');
    unconfirm();
  });
  onSubmit('paper', async (form) => {
    const v = latest();
    const vote = v?.state.votes.find((x) => x.status === 'open');
    if (!v || !vote) return;
    const box = form.querySelector('textarea') as HTMLTextAreaElement;
    const parsed = parsePaper(vote.settings.method, box.value);
    if ('problem' in parsed) return showProblem(v, 'paper-problem', parsed.problem);
    const ticked = Array.from(form.querySelectorAll<HTMLInputElement>('#paper-members input:checked'), (i) => i.value);
    if (!(await v.send('vote:paper', { vote: vote.id, members: ticked, ...parsed }))) return showProblem(v, 'paper-problem', v.refusal(), false);
    clearProblem(v, 'paper-problem');
    box.value = '';
    form.querySelectorAll<HTMLInputElement>('#paper-members input').forEach((i) => (i.checked = false));
    v.alert('Count entered. The vote shows whether it waits for a second count or has been added.', false);
  });
}
