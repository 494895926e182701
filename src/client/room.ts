import { io, type Socket } from 'socket.io-client';
import type { Immutable } from 'immer';
import type { ClientToServerEvents, CommandDone, Presence, Reply, ServerToClientEvents, Snapshot } from '../room/events';
import type { Actor, Command } from '../room/machine';
import type { RoomState } from '../room/state';
import { renderBoard, wireBoard } from './board';
import { $, item, noteRefusal, report } from './dom';
import { renderFacilitator, wireFacilitator } from './facilitator';
import { applyChange, currentRound, handleOf, tableOf, tablesMeeting } from './reads';
import { renderTables, wireTables } from './tables';
import { renderRecs, wireRecs } from './recommendations';
import { wireVotes } from './vote-forms';
import { renderVotes } from './voting';
import { describeBallot } from '../voting/tally';
import type { FieldsArg, View } from './view';
import { BallotOutbox } from './ballots';
import { credentials } from './credentials';
import { wireSummaryReader } from './summary-reader';
import { renderTabs, wireTabs } from './tabs';
import { t } from './words';

/**
 * The room in the browser: shows the server's snapshots and sends commands (docs/protocol.md). The pass
 * comes from the link's fragment and is kept for this tab only; without one, the server may know you by
 * your login (facilitators) instead.
 */
type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const root = $('room');
let you: Actor | undefined;
let last: Immutable<Omit<Snapshot, 'you'>> | undefined;
let presence: Presence | undefined;
let offset = 0;
let lastAnnounced = '';
/** Why the latest command was refused or went unanswered, for the form that sent it (View.refusal). */
let refused = '';

// The version last seen goes with every (re)connection: a server restored from a backup then says what happened.
const socket: RoomSocket = io({ auth: (cb) => cb({ ...credentials(root.dataset.session ?? ''), ...(last ? { seen: last.version } : {}) }), transports: ['websocket'] });
// A refused join is final (the message says why); anything else is retried by Socket.IO on its own.
socket.on('connect_error', (err) => show('status', socket.active ? t('reconnecting') : t('notConnected', { reason: err.message })));
socket.on('disconnect', (reason) => {
  show('status', t('reconnecting'));
  // The server closes a socket whose access has ended; trying again brings back the refusal's reason to show.
  if (reason === 'io server disconnect') socket.connect();
});
socket.on('room:state', (s) => {
  you = s.you;
  take(s);
  if (s.behind) announce(s.behind, true);
  void outbox.flush(s.state);
});
socket.on('room:presence', (p) => {
  presence = p;
  render();
});
socket.on('room:changed', (change) => {
  // The gap rule: a change applies only to the version it was made from; otherwise fetch the whole room.
  if (last && change.version <= last.version) return;
  if (!last || change.since !== last.version) {
    socket.emit('room:sync', {}, (reply) => reply.ok && take(reply.data));
    return;
  }
  take({ version: change.version, serverTime: change.serverTime, state: applyChange(last.state, change), airtime: change.airtime ?? last.airtime, names: last.names });
  // Someone joined the session's list (a late confirmer): the names come with the whole room.
  if (change.set.members && you?.role !== 'observer') socket.emit('room:sync', {}, (reply) => reply.ok && take(reply.data));
});

function take(s: Immutable<Omit<Snapshot, 'you'>>): void {
  last = s;
  offset = s.serverTime - Date.now();
  show('status', t('connected'));
  render();
}

/**
 * Sends a command and resolves with whether it was applied. A lost acknowledgement is retried with the same
 * client id, so it applies once; nothing is sent while disconnected (Socket.IO would otherwise queue it and
 * send it later, after the person was told it failed).
 */
async function send<K extends Command['type']>(event: K, ...[fields]: FieldsArg<K>): Promise<boolean> {
  const command = { ...fields, clientId: newId() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!(await connected(10_000))) break;
    try {
      // Socket.IO's types cannot follow a generic event name to its payload: `Send` (view.ts) checks the fields.
      const timed = socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Reply<CommandDone>> };
      const reply = await timed.emitWithAck(event, command);
      if (reply.ok) settled();
      else refuse(reply.message);
      return reply.ok;
    } catch {
      // no acknowledgement in time: try again with the same client id
    }
  }
  refuse(t('noAnswer'));
  return false;
}

/** A refusal is said aloud (the alert region) and shown beside the control that sent it (dom.ts `report`). */
function refuse(text: string): void {
  refused = text;
  noteRefusal(text);
  announce(text, true);
}

/** A command went through: earlier refusals, in the alert region and beside their controls, no longer hold. */
function settled(): void {
  if (refused && $('alert').textContent === refused) announce('', true);
  refused = '';
  document.querySelectorAll<HTMLElement>('#room .problem').forEach((line) => (line.textContent = ''));
}

/** A ballot waiting for the connection, or sent: see ballots.ts. */
const outbox = new BallotOutbox(
  root.dataset.session ?? '',
  async ({ vote, ballot, clientId }) => {
    if (!socket.connected) return undefined;
    try {
      return await socket.timeout(5000).emitWithAck('vote:cast', { vote, ballot, clientId });
    } catch {
      return undefined; // no acknowledgement: sent again on the next connection, with the same client id
    }
  },
  (text, urgent) => {
    announce(text, urgent);
    if (urgent) $('ballot-problem').textContent = text; // a refused or unsent ballot says so beside the ballot, too
  },
  () => render(),
);

async function check(vote: number, receipt: string, unlock?: string): Promise<string> {
  try {
    const reply = await socket.timeout(5000).emitWithAck('vote:check', { vote, receipt, unlock });
    if (!reply.ok) return reply.message;
    if (!reply.data.counted) return t('notFound');
    return reply.data.ballot ? t('countedAs', { ballot: describeBallot(reply.data.ballot) }) : t('counted');
  } catch {
    return t('noReply');
  }
}

async function readSummary(revision: number): Promise<Reply<{ html: string }>> {
  try {
    return await socket.timeout(5000).emitWithAck('summary:read', { revision, lang: document.documentElement.lang });
  } catch {
    return { ok: false, error: 'internal', message: t('summaryNoAnswer') };
  }
}

/** Resolves true once the socket is connected, or false after `ms`. */
function connected(ms: number): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      resolve(ok);
    };
    const onConnect = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    socket.on('connect', onConnect);
  });
}

function view(): View | undefined {
  if (!last || !you) return undefined;
  const { state, names } = last;
  const name = (member: string) => names?.[member] ?? handleOf(state, member);
  return { state, you, me: you.role === 'panellist' ? you.member : '', name, send, airtime: last.airtime, presence, alert: announce, refusal: () => refused, check, outbox, cast: (vote, ballot) => outbox.cast(vote, ballot, newId(), socket.connected), readSummary };
}

function render(): void {
  const v = view();
  if (!v) return;
  const { state: s, you: actor } = v;
  document.body.classList.toggle('observing', actor.role === 'observer');
  $('title').textContent = s.title;
  const round = currentRound(s);
  $('round').textContent = round ? t('round', { title: round.title, type: round.type.replace(/-/g, ''), status: round.status }) : t('waiting');
  document.querySelectorAll<HTMLElement>('[data-role]').forEach((el) => (el.hidden = !(el.dataset.role ?? '').split(' ').includes(actor.role)));
  renderAgenda(s);
  renderSpeaking(v);
  renderBoard(v);
  renderTables(v);
  renderVotes(v);
  renderRecs(v);
  if (actor.role === 'facilitator') renderFacilitator(v);
  renderTabs(v);
  tick();
  const line = `${t('announce', { title: round?.title ?? '', status: round?.status ?? '' })} ${s.floor ? t('floorOther', { name: v.name(s.floor.member) }) : ''}`;
  if (line !== lastAnnounced) announce((lastAnnounced = line), false);
}

function renderAgenda(s: Immutable<RoomState>): void {
  $('agenda').replaceChildren(
    ...s.rounds.map((r, i) => {
      const li = item(t('agendaItem', { title: r.title, minutes: r.minutes }));
      if (i === s.current) li.setAttribute('aria-current', 'step');
      li.className = r.status;
      return li;
    }),
  );
}

/** The floor, the queue and your hand: the plenary's, or your table's while the tables meet or take turns. */
function renderSpeaking(v: View): void {
  const { state: s, me } = v;
  const stage = followedStage(v);
  const table = stage === s ? undefined : tableOf(s, me);
  const number = table ? s.tables.indexOf(table) + 1 : undefined;
  const who = stage.floor ? (stage.floor.member === me ? 'floorYou' : 'floorOther') : 'floorNobody';
  $('floor').textContent = t(`${who}${table ? 'Table' : ''}`, { name: stage.floor ? v.name(stage.floor.member) : '' });
  $('queue-title').textContent = table ? t('queueTable') : t('queue');
  $('queue').replaceChildren(
    ...stage.queue.map((m) => {
      const li = item(m === me ? t('youInQueue', { name: v.name(m) }) : v.name(m));
      if (v.you.role === 'facilitator') li.dataset.member = m;
      return li;
    }),
  );
  $('queue-empty').hidden = stage.queue.length > 0;
  if (v.you.role !== 'panellist') return;
  const place = stage.queue.indexOf(me);
  const hand = $<HTMLButtonElement>('hand');
  hand.textContent = place >= 0 ? t('lower') : t('raise');
  hand.onclick = () => void send(place >= 0 ? 'queue:lower' : 'queue:raise').then((ok) => report(hand, ok));
  hand.disabled = currentRound(s)?.status !== 'open' || stage.floor?.member === me || (tablesMeeting(s) && !table);
  $('place').textContent = place >= 0 ? t('place', { place: place + 1 }) : tablesMeeting(s) && !table ? t('notSeated') : '';
  const turns = stage.turns;
  const passTurn = $('pass');
  passTurn.hidden = !(turns && turns.order[turns.index] === me);
  passTurn.onclick = () => void send('turn:next', number ? { table: number } : {}).then((ok) => report(passTurn, ok));
  const finish = $('finish');
  finish.hidden = !(table && !table.turns && table.floor?.member === me);
  finish.onclick = () => {
    if (number) void send('table:next', { table: number });
  };
}

const clockText = (ms: number) => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;

function tick(): void {
  const round = last ? currentRound(last.state) : undefined;
  const timer = $('timer');
  tickSpeaker();
  if (!round) return void (timer.textContent = '');
  const left = round.status === 'open' ? (round.deadline ?? 0) - (Date.now() + offset) : round.status === 'paused' ? (round.remainingMs ?? 0) : 0;
  timer.textContent = round.status === 'closed' ? t('closed') : left >= 0 ? t(round.status === 'paused' ? 'leftPaused' : 'left', { time: clockText(left) }) : t('over', { time: clockText(-left) });
}

/** The floor this screen follows: the plenary's, or the member's own table's while it meets or takes turns. */
function followedStage(v: View) {
  const mine = v.me ? tableOf(v.state, v.me) : undefined;
  return mine && (tablesMeeting(v.state) || mine.turns) ? mine : v.state;
}

/** When the floor's speaking or turn limit ends, on every screen; the facilitator is told once when it runs out. */
let nudged = '';
function tickSpeaker(): void {
  const v = view();
  const floor = v && followedStage(v).floor;
  const box = $('speaker-timer');
  box.classList.toggle('over', false);
  if (!v || !floor || floor.until === null) return void (box.textContent = '');
  const left = floor.until - (Date.now() + offset);
  const mine = floor.member === v.me;
  const vars = { name: v.name(floor.member), time: clockText(Math.abs(left)) };
  box.textContent = left >= 0 ? t(mine ? 'yourTime' : 'theirTime', vars) : t(mine ? 'yourTimeUp' : 'theirTimeUp', vars);
  box.classList.toggle('over', left < 0);
  const key = `${floor.member}@${floor.since}`;
  if (left < 0 && v.you.role === 'facilitator' && nudged !== key) {
    nudged = key;
    announce(`${v.name(floor.member)}'s time is up: thank them and move on${v.state.turns ? ' to the next turn' : ''}.`, true);
  }
}

/** A command's id; crypto.randomUUID needs a secure context, which a hall's local server may not be. */
function newId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function show(id: string, text: string): void {
  $(id).textContent = text;
}

function announce(text: string, urgent = true): void {
  $(urgent ? 'alert' : 'announce').textContent = text;
}

wireBoard(view);
wireTables(view);
wireFacilitator(view);
wireVotes(view);
wireRecs(view);
wireSummaryReader();
wireTabs(render, view);
setInterval(tick, 1000);
