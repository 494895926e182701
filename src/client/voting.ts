import type { Immutable } from 'immer';
import type { Vote } from '../room/state';
import type { Result } from '../voting/types';
import { $, element, item, report, setOptions } from './dom';
import { PAPER_FORMAT } from './paper';
import { inEnglish, t } from './words';
import { currentRound, describeRule } from './reads';
import { buildBallot, buildPaperMembers, notePaperCount } from './vote-forms';
import { renderVoteSetup } from './vote-setup';
import { voteSubjects } from './recommendations';
import { resultTable } from './result-table';
import type { View } from './view';
import { summaryButton } from './summary-reader';

/**
 * Votes as they stand: panellists cast (and may change) a ballot and keep a receipt; the facilitator opens and
 * closes votes and enters paper ballots; everyone sees the result, with its rule and denominators, at the close.
 * The forms themselves are built and read in vote-forms.ts.
 */
export function renderVotes(v: View): void {
  const { state, you } = v;
  const round = currentRound(state);
  const votes = state.votes.filter((vote) => vote.round === state.current);
  const open = votes.find((vote) => vote.status === 'open');
  const inVoteRound = round?.type === 'vote' && round.status === 'open';
  $('votes').hidden = votes.length === 0 && !(you.role === 'facilitator' && inVoteRound);
  $('vote-setup').hidden = !(you.role === 'facilitator' && inVoteRound && !open);
  if (you.role === 'facilitator') {
    setOptions($<HTMLSelectElement>('vote-from'), [['', 'the options typed above'], ...sources(v)]);
    setOptions($<HTMLSelectElement>('vote-subject'), [['', 'the question typed below'], ...voteSubjects(state), ['summary', "the session's written summary (its latest revision)"]]);
    if (round?.type === 'vote') renderVoteSetup(v, round, votes.length > 0);
  }
  const [shown, earlier] = you.role === 'observer' ? latestFirst(votes) : [votes, []];
  $('vote-list').replaceChildren(...shown.map((vote) => voteCard(v, vote, you.role === 'observer')));
  $('vote-earlier').hidden = earlier.length === 0;
  $('vote-earlier-summary').textContent = t('earlierCount', { count: earlier.length });
  $('vote-earlier-list').replaceChildren(...earlier.map((vote) => voteCard(v, vote)));
  const ballotForm = $<HTMLFormElement>('ballot');
  ballotForm.hidden = !(you.role === 'panellist' && open);
  if (you.role === 'panellist' && open && ballotForm.dataset.vote !== String(open.id)) buildBallot(open);
  const waiting = v.outbox.pending();
  $('ballot-pending').textContent = open && waiting?.vote === open.id ? t('pending') : '';
  $('paper').hidden = !(you.role === 'facilitator' && open);
  if (you.role === 'facilitator' && open && $('paper').dataset.vote !== String(open.id)) buildPaperMembers(open.id, state.members, v.name);
  if (you.role === 'facilitator' && open) notePaperCount(v, open);
  if (open) $('paper-format').textContent = `One ballot per line: ${PAPER_FORMAT[open.settings.method]}. Write "x 12" after a line for twelve alike, and "spoiled x 2" for spoiled ballots. A second person enters the same count to confirm it.`;
}

/** Earlier rounds whose ideas or themes can become a vote's options. */
function sources(v: View): [string, string][] {
  return v.state.rounds.flatMap((r, i): [string, string][] => {
    const ideas = v.state.ideas.filter((idea) => idea.round === i && !idea.hidden && idea.mergedInto === null);
    if (!ideas.length) return [];
    const themes = ideas.some((idea) => idea.theme) ? [[`${i}:themes`, `the themes of round ${i + 1}: ${r.title}`] as [string, string]] : [];
    return [[`${i}:ideas`, `the ideas of round ${i + 1}: ${r.title}`], ...themes];
  });
}

/**
 * The observer screen (a projector) shows the vote in hand, open or else the latest, alone and first, so its
 * result is never below the fold; the earlier ones, latest first, fold away under it.
 */
function latestFirst(votes: readonly Immutable<Vote>[]): [Immutable<Vote>[], Immutable<Vote>[]] {
  const now = votes.find((x) => x.status === 'open') ?? votes[votes.length - 1];
  return now ? [[now], votes.filter((x) => x !== now).reverse()] : [[], []];
}

function voteCard(v: View, vote: Immutable<Vote>, current = false): HTMLElement {
  const card = element('li', '', current ? 'vote-card current' : 'vote-card');
  card.append(element('h3', t('voteTitle', { id: vote.id, question: vote.question })));
  // A vote on the written summary: the members read the very revision they are asked to approve.
  if (vote.approves !== null) card.append(summaryButton(v, vote.approves));
  if (!vote.result) card.append(inEnglish(element('p', describeRule(vote.settings), 'hint'))); // with a result, the rule comes after it
  if (vote.settings.options.length) {
    const list = element('ol');
    list.append(...vote.settings.options.map((o) => item(o)));
    card.append(list);
  }
  const how = vote.secret ? 'howSecret' : vote.live ? 'howLive' : 'howOpen';
  const inFives = vote.secret && vote.status === 'open';
  const paper = vote.paper.accepted + vote.paper.spoiled;
  const voted = `${inFives ? 'votedAtLeast' : 'voted'}${paper ? 'Paper' : ''}`;
  card.append(element('p', `${t(how)} ${t(voted, { voted: vote.voted, members: v.state.members.length, paper })}`));
  if (vote.paper.pending) card.append(element('p', t('paperWaiting'), 'flag'));
  if (v.you.role === 'panellist') {
    const held = v.outbox.receipt(vote.id);
    if (held) card.append(element('p', `${t('receipt', { receipt: held.receipt })} ${vote.status === 'open' ? t('receiptChange') : ''}`, 'receipt'));
    if (held) card.append(checkButton(v, vote.id, held.receipt, held.unlock));
  }
  if (v.you.role === 'facilitator' && vote.status === 'open') {
    const close = element('button', `Close vote ${vote.id} and count`);
    close.type = 'button';
    close.addEventListener('click', () => void v.send('vote:close', { vote: vote.id }).then((ok) => report($('votes'), ok)));
    card.append(close);
  }
  if (vote.result) card.append(resultBlock(vote.result, vote.settings.options, vote.status === 'open'));
  if (vote.withheld) card.append(element('p', t('withheld', { voted: vote.voted, members: v.state.members.length }), 'lead'));
  return card;
}

function resultBlock(result: Immutable<Result>, options: readonly string[], provisional: boolean): HTMLElement {
  const block = element('div', '', 'result');
  block.append(provisional ? element('p', t('soFar', { summary: result.summary }), 'lead') : inEnglish(element('p', result.summary, 'lead')));
  const facts = element('dl', '', 'facts');
  const fact = (term: string, value: string) => {
    const row = element('div');
    row.append(element('dt', term), element('dd', value));
    facts.append(row);
  };
  fact(t('factEligible'), String(result.eligible));
  fact(t('factVoted'), String(result.voted));
  fact(t('factAbstained'), String(result.abstained));
  fact(t('factSpoiled'), String(result.spoiled));
  const { required, met } = result.quorum;
  fact(t('factQuorum'), required ? t(met ? 'quorumMet' : 'quorumNotMet', { count: required }) : t('quorumNone'));
  if (result.winners.length) fact(t('factChosen'), result.winners.map((w) => options[w]).join('; '));
  block.append(facts);
  const figures = resultTable(result, options);
  if (figures) block.append(inEnglish(figures));
  block.append(element('p', t('rule', { rule: result.rule }), 'hint'));
  return block;
}

function checkButton(v: View, vote: number, receipt: string, unlock: string): HTMLElement {
  const wrap = element('p');
  const b = element('button', t('check'), 'secondary');
  b.type = 'button';
  const out = element('span');
  out.setAttribute('role', 'status');
  b.addEventListener('click', () => void v.check(vote, receipt, unlock).then((text) => (out.textContent = ` ${text}`)));
  wrap.append(b, out);
  return wrap;
}
