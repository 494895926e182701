import type { Immutable } from 'immer';
import type { Vote } from '../room/state';
import { scaleLabels } from '../voting/tally';
import { type Ballot, METHODS } from '../voting/types';
import { $, element, oneOf, onSubmit } from './dom';
import { parsePaper } from './paper';
import { handleOf } from './reads';
import type { Fields, View } from './view';

/**
 * The vote forms: a panellist's ballot for the vote's method, the facilitator's form that opens a vote, and the
 * tellers' paper count; each built, read and checked here, and sent (voting.ts renders the votes themselves).
 */

/** The ballot form for this vote's method; built once per vote, so a half-filled ballot survives updates. */
export function buildBallot(vote: Immutable<Vote>): void {
  const form = $<HTMLFormElement>('ballot');
  form.dataset.vote = String(vote.id);
  form.dataset.method = vote.settings.method;
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
  if (s.method === 'threshold') fields.replaceChildren(radios('choice', [['agree', 'Agree'], ['disagree', 'Disagree'], ['abstain', 'Abstain']]));
  if (s.method === 'consent') {
    const reason = element('textarea');
    reason.name = 'reason';
    reason.maxLength = 500;
    reason.rows = 2;
    reason.id = 'objection';
    const label = element('label', 'If you object, say why (it goes in the record)');
    label.htmlFor = 'objection';
    fields.replaceChildren(radios('choice', [['consent', 'I consent'], ['object', 'I object'], ['abstain', 'Abstain']]), label, reason);
  }
  if (s.method === 'scale') fields.replaceChildren(radios('level', [...scaleLabels(s.scale ?? 'likert5').map((l, i): [string, string] => [String(i + 1), `${i + 1}. ${l}`]), ['0', 'Abstain']]));
  if (s.method === 'approval' || s.method === 'ranked') {
    const max = s.method === 'approval' ? (s.dots?.perOption ?? 1) : s.options.length;
    const hint = s.method === 'approval' ? `You have ${s.dots?.perVoter ?? s.options.length} dots, at most ${max} on one option.` : 'Number the options in order of preference: 1 for your first choice. Leave out any you would not rank.';
    fields.replaceChildren(
      element('p', hint, 'hint'),
      ...s.options.map((option, i) => {
        const label = element('label', `${option} `);
        const input = element('input');
        input.type = 'number';
        input.min = s.method === 'approval' ? '0' : '1';
        input.max = String(max);
        input.name = `option-${i}`;
        input.inputMode = 'numeric';
        label.append(input);
        return label;
      }),
    );
  }
}

/** One tick box per member, to say who voted on paper (one for each ballot, counted or spoiled); built once per vote. */
export function buildPaperMembers(vote: number, members: readonly string[]): void {
  $('paper').dataset.vote = String(vote);
  $('paper-members').replaceChildren(
    element('legend', 'Who voted on paper: tick one member for each ballot, counted or spoiled'),
    ...members.map((member) => {
      const label = element('label', '', 'choice');
      const input = element('input');
      input.type = 'checkbox';
      input.value = member;
      label.append(input, ` ${handleOf({ members }, member)} (${member})`);
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
      return choice ? { kind: 'threshold', choice } : 'Choose agree, disagree or abstain.';
    }
    case 'consent': {
      const choice = oneOf(value('choice'), ['consent', 'object', 'abstain'] as const);
      return choice ? { kind: 'consent', choice, ...(value('reason').trim() ? { reason: value('reason').trim() } : {}) } : 'Choose whether you consent.';
    }
    case 'scale':
      return value('level') ? { kind: 'scale', level: Number(value('level')) } : 'Choose a level.';
    case 'approval':
      return { kind: 'approval', dots: vote.settings.options.map((_, i) => Number(value(`option-${i}`) || 0)) };
    case 'ranked': {
      const ranks = vote.settings.options.map((_, i) => ({ i, rank: Number(value(`option-${i}`) || 0) })).filter((r) => r.rank > 0);
      return { kind: 'ranked', ranking: ranks.sort((a, b) => a.rank - b.rank).map((r) => r.i) };
    }
  }
}

/** The vote form's settings for its method, from its fields (`text`); or what to choose, if a choice is not one the form offers. */
function settingsOf(text: (name: string) => string, options: string[]): Fields<'vote:open'>['settings'] | string {
  const method = oneOf(text('method'), METHODS);
  const quorum = Number(text('quorum') || 0);
  switch (method) {
    case 'threshold': {
      const rule = oneOf(text('rule'), ['majority', 'two-thirds', 'percent'] as const);
      const base = oneOf(text('base'), ['all', 'decisive'] as const);
      if (!rule || !base) return 'Choose the rule and what it counts.';
      return { method, quorum, threshold: { rule, base, ...(rule === 'percent' ? { percent: Number(text('percent')) } : {}) } };
    }
    case 'approval':
      return { method, quorum, dots: { perVoter: Number(text('perVoter') || options.length || 1), perOption: Number(text('perOption') || 1) } };
    case 'ranked': {
      const count = oneOf(text('count'), ['irv', 'borda'] as const);
      return count ? { method, quorum, count } : 'Choose how the ranking is counted.';
    }
    case 'scale': {
      const scale = oneOf(text('scale'), ['likert5', 'gradients8'] as const);
      return scale ? { method, quorum, scale } : 'Choose the scale.';
    }
    case 'consent':
      return { method, quorum };
    case undefined:
      return 'Choose how the vote is decided.';
  }
}

export function wireVotes(latest: () => View | undefined): void {
  onSubmit('ballot', async (form) => {
    const v = latest();
    const vote = v?.state.votes.find((x) => String(x.id) === form.dataset.vote);
    if (!v || !vote) return;
    const ballot = readBallot(form, vote);
    if (typeof ballot === 'string') return v.alert(ballot);
    await v.cast(vote.id, ballot);
  });
  onSubmit('vote-setup', (form) => {
    const v = latest();
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const options = text('options').split('\n').map((o) => o.trim()).filter(Boolean);
    const [round, take] = text('from').split(':');
    const source = oneOf(take ?? '', ['ideas', 'themes'] as const);
    const from = source ? { round: Number(round), take: source } : undefined;
    const settings = settingsOf(text, options);
    if (typeof settings === 'string') return v?.alert(settings);
    const [rec, amendment] = text('subject').split(':').filter(Boolean).map(Number);
    const what =
      text('subject') === 'summary' ? { summary: 'latest' as const } : rec ? { subject: { rec, ...(amendment ? { amendment } : {}) } } : { question: text('question'), ...(from ? { from } : { options }) };
    return v?.send('vote:open', { ...what, settings, secret: data.get('secret') === 'on', live: data.get('live') === 'on' });
  });
  onSubmit('paper', async (form) => {
    const v = latest();
    const vote = v?.state.votes.find((x) => x.status === 'open');
    if (!v || !vote) return;
    const box = form.querySelector('textarea') as HTMLTextAreaElement;
    const parsed = parsePaper(vote.settings.method, box.value);
    if ('problem' in parsed) return v.alert(parsed.problem);
    const ticked = Array.from(form.querySelectorAll<HTMLInputElement>('#paper-members input:checked'), (i) => i.value);
    if (await v.send('vote:paper', { vote: vote.id, members: ticked, ...parsed })) {
      box.value = '';
      form.querySelectorAll<HTMLInputElement>('#paper-members input').forEach((i) => (i.checked = false));
      v.alert('Count entered. The vote shows whether it waits for a second count or has been added.', false);
    }
  });
}
