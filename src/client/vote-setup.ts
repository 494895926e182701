import type { Immutable } from 'immer';
import type { Round } from '../room/state';
import { defaultQuorum } from '../room/votes';
import { METHODS } from '../voting/types';
import { plural } from '../voting/words';
import { $, oneOf, onSubmit } from './dom';
import { clearProblem, showProblem } from './form-problem';
import type { Fields, View } from './view';

/**
 * The facilitator's form that opens a vote: its quorum suggested from the session's members, pre-filled once per
 * round from the round's own defaults, read into a `vote:open`, and emptied once the vote is open (kept, with the
 * refusal beside its button, when it is not).
 */
export function renderVoteSetup(v: View, round: Immutable<Round>, held: boolean): void {
  suggestQuorum(v.state.members.length);
  const form = $<HTMLFormElement>('vote-setup');
  const key = String(v.state.current);
  if (form.dataset.round === key) return;
  form.dataset.round = key;
  if (round.vote && !held) prefill(round.vote);
}

/** More than half of the members, in the form for the facilitator to see; what they type instead stays. */
function suggestQuorum(members: number): void {
  const box = $<HTMLInputElement>('vote-quorum');
  const suggested = String(defaultQuorum(members));
  if (box.defaultValue === suggested) return;
  const untouched = box.value === box.defaultValue;
  box.defaultValue = suggested; // what the form goes back to when it is emptied
  if (untouched) box.value = suggested;
  $('vote-quorum-hint').textContent = members ? `Suggested: ${suggested}, more than half of the ${plural(members, 'member')}. Type 0 for no quorum.` : '';
}

type Defaults = NonNullable<Round['vote']>;

/** The round's defaults, put in whatever the facilitator has not filled in or changed. */
function prefill(d: Immutable<Defaults>): void {
  const fill = (id: string, value: string | undefined) => {
    const box = $<HTMLInputElement | HTMLTextAreaElement>(id);
    if (value !== undefined && box.value === box.defaultValue) box.value = value;
  };
  fill('vote-question', d.question);
  fill('vote-options', d.options?.join('\n'));
  fill('vote-quorum', d.quorum === undefined ? undefined : String(d.quorum));
  const method = $<HTMLSelectElement>('vote-method');
  if (d.method && method.selectedIndex === 0) method.value = d.method;
  const secret = $<HTMLInputElement>('vote-secret');
  if (d.secret !== undefined && secret.checked === secret.defaultChecked) secret.checked = d.secret;
  syncSecret();
}

/** A secret vote shows no result before its close: ticking "secret" unticks "show results" and locks it. */
function syncSecret(): void {
  const secret = $<HTMLInputElement>('vote-secret');
  const live = $<HTMLInputElement>('vote-live');
  if (secret.checked) live.checked = false;
  live.disabled = secret.checked;
}

/** The vote form's settings for its method, from its fields (`text`); or what to choose, if a choice is not one the form offers. */
function settingsOf(text: (name: string) => string, options: string[]): Fields<'vote:open'>['settings'] | string {
  const method = oneOf(text('method'), METHODS);
  // An emptied box leaves the quorum to the server, which takes the same share the form suggests.
  const quorum = text('quorum') ? Number(text('quorum')) : undefined;
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

/** The `vote:open` the form describes, or what to put right in it. */
function commandOf(form: HTMLFormElement): Fields<'vote:open'> | string {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const options = text('options').split('\n').map((o) => o.trim()).filter(Boolean);
  const [round, take] = text('from').split(':');
  const source = oneOf(take ?? '', ['ideas', 'themes'] as const);
  const from = source ? { round: Number(round), take: source } : undefined;
  const settings = settingsOf(text, options);
  if (typeof settings === 'string') return settings;
  const [rec, amendment] = text('subject').split(':').filter(Boolean).map(Number);
  const what =
    text('subject') === 'summary' ? { summary: 'latest' as const } : rec ? { subject: { rec, ...(amendment ? { amendment } : {}) } } : { question: text('question'), ...(from ? { from } : { options }) };
  return { ...what, settings, secret: data.get('secret') === 'on', live: data.get('live') === 'on' };
}

export function wireVoteSetup(latest: () => View | undefined): void {
  $('vote-setup').addEventListener('change', syncSecret);
  onSubmit('vote-setup', async (form) => {
    const v = latest();
    if (!v) return;
    const command = commandOf(form);
    if (typeof command === 'string') return showProblem(v, 'vote-setup-problem', command);
    if (!(await v.send('vote:open', command))) return showProblem(v, 'vote-setup-problem', v.refusal(), false);
    clearProblem(v, 'vote-setup-problem');
    form.reset(); // the next vote starts from a clean form: the suggested quorum, no question, nothing ticked
    syncSecret();
  });
}
