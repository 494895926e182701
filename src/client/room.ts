import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Reply, ServerToClientEvents, Snapshot } from '../room/events';
import type { Actor } from '../room/machine';
import type { RoomState } from '../room/state';

/**
 * The room in the browser: shows the server's snapshots and sends commands (docs/protocol.md). The pass
 * comes from the link's fragment and is kept for this tab only.
 */
type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const root = document.getElementById('room') as HTMLElement;
const $ = (id: string) => document.getElementById(id) as HTMLElement;
const pass = readPass();
let you: Actor | undefined;
let state: RoomState | undefined;
let offset = 0;
let lastAnnounced = '';

const socket: RoomSocket = io({ auth: { pass }, transports: ['websocket'] });
socket.on('connect_error', (err) => show('#status', `Not connected: ${err.message}`));
socket.on('disconnect', () => show('#status', 'Connection lost: reconnecting…'));
socket.on('room:state', (s) => {
  you = s.you;
  take(s);
});
socket.on('room:presence', (p) => {
  const list = document.getElementById('connected');
  if (!list) return;
  list.textContent = `${p.panellists.length} panellists connected${p.panellists.length ? `: ${p.panellists.join(', ')}` : ''}. Facilitators: ${p.facilitators}. Observer screens: ${p.observers}.`;
});
socket.on('room:changed', (change) => {
  if (state && change.version !== state.version + 1) {
    socket.emit('room:sync', {}, (reply) => reply.ok && take(reply.data));
    return;
  }
  take(change);
});

function readPass(): string {
  const fromLink = /pass=([\w-]+)/.exec(location.hash)?.[1];
  const key = `pass:${root.dataset.session}`;
  if (fromLink) {
    sessionStorage.setItem(key, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  return fromLink ?? sessionStorage.getItem(key) ?? '';
}

let report: Snapshot['airtime'];

function take(s: Omit<Snapshot, 'you'>): void {
  state = s.state;
  report = s.airtime;
  offset = s.serverTime - Date.now();
  show('#status', 'Connected');
  render();
}

/** Sends a command; a lost acknowledgement is retried with the same client id, so it applies once. */
async function send(event: keyof ClientToServerEvents, payload: Record<string, unknown> = {}): Promise<void> {
  const command = { ...payload, clientId: newId() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const timed = socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Reply<{ version: number }>> };
      const reply = await timed.emitWithAck(event, command);
      if (!reply.ok) announce(reply.message, true);
      return;
    } catch {
      // no acknowledgement in time: try again with the same client id
    }
  }
  announce('The server did not answer. Check your connection and try again.', true);
}

function render(): void {
  if (!state || !you) return;
  const s = state;
  $('title').textContent = s.title;
  const round = s.current === null ? undefined : s.rounds[s.current];
  $('round').textContent = round ? `${round.title} (${round.type}, ${round.status})` : 'Waiting for the facilitator to start.';
  renderAgenda(s);
  $('floor').textContent = s.floor ? `${s.floor.member === member() ? 'You have' : `${s.floor.member} has`} the floor.` : 'Nobody has the floor.';
  renderQueue(s);
  document.querySelectorAll<HTMLElement>('[data-role]').forEach((el) => (el.hidden = el.dataset.role !== you?.role));
  if (you.role === 'panellist') renderHand(s);
  if (you.role === 'facilitator') renderControls(s);
  renderBoard(s, round);
  tick();
  const line = `${round ? round.title : ''}: ${round?.status ?? ''}. ${s.floor ? `${s.floor.member} has the floor.` : ''}`;
  if (line !== lastAnnounced) announce((lastAnnounced = line));
}

function renderAgenda(s: RoomState): void {
  const list = $('agenda');
  list.replaceChildren(
    ...s.rounds.map((r, i) => {
      const li = document.createElement('li');
      li.textContent = `${r.title} (${r.minutes} min)`;
      if (i === s.current) li.setAttribute('aria-current', 'step');
      li.className = r.status;
      return li;
    }),
  );
}

function renderQueue(s: RoomState): void {
  const list = $('queue');
  list.replaceChildren(
    ...s.queue.map((m) => {
      const li = document.createElement('li');
      li.textContent = m === member() ? `${m} (you)` : m;
      if (you?.role === 'facilitator') {
        li.append(' ', button(`Give the floor to ${m}`, () => send('floor:give', { member: m })), ' ', button(`Lower ${m}'s hand`, () => send('queue:lower', { member: m })));
      }
      return li;
    }),
  );
  $('queue-empty').hidden = s.queue.length > 0;
}

function renderHand(s: RoomState): void {
  const me = member();
  const place = s.queue.indexOf(me);
  const hand = $('hand') as HTMLButtonElement;
  hand.textContent = place >= 0 ? 'Lower my hand' : 'Raise my hand';
  hand.onclick = () => void send(place >= 0 ? 'queue:lower' : 'queue:raise');
  hand.disabled = s.current === null || s.rounds[s.current].status !== 'open' || s.floor?.member === me;
  $('place').textContent = place >= 0 ? `You are number ${place + 1} in the queue.` : '';
  const myTurn = s.turns && s.turns.order[s.turns.index] === me;
  const pass = $('pass') as HTMLButtonElement;
  pass.hidden = !myTurn;
  pass.onclick = () => void send('turn:next');
}

const BOARD: Record<string, string> = { ideas: 'Ideas', tables: 'Ideas from the tables', briefing: 'Questions for the speaker' };

function renderBoard(s: RoomState, round: RoomState['rounds'][number] | undefined): void {
  const section = $('board');
  const title = round && round.status === 'open' ? BOARD[round.type] : undefined;
  section.hidden = !title;
  if (!title || s.current === null) return;
  $('board-title').textContent = title;
  $('post').hidden = you?.role !== 'panellist';
  const me = member();
  const ideas = s.ideas.filter((i) => i.round === s.current && i.mergedInto === null);
  $('ideas').replaceChildren(
    ...ideas.map((idea) => {
      const li = document.createElement('li');
      const theme = idea.theme ? `[${idea.theme}] ` : '';
      li.textContent = `${theme}${idea.text} (${idea.supporters.length} ${idea.supporters.length === 1 ? 'supporter' : 'supporters'})${idea.hidden ? ` (hidden: ${idea.hidden})` : ''}`;
      if (you?.role === 'panellist' && idea.author !== me && !idea.supporters.includes(me)) li.append(' ', button(`Support idea ${idea.id}`, () => send('idea:support', { idea: idea.id })));
      if (you?.role === 'facilitator' && !idea.hidden) {
        li.append(
          ' ',
          button(`Theme idea ${idea.id}`, () => ask('Theme', (theme) => send('idea:theme', { idea: idea.id, theme }))),
          button(`Merge idea ${idea.id}`, () => ask('Merge into idea number', (into) => send('idea:merge', { idea: idea.id, into: Number(into) }))),
          button(`Hide idea ${idea.id}`, () => ask('Why hide it (kept in the record)?', (reason) => send('idea:hide', { idea: idea.id, reason }))),
        );
      }
      return li;
    }),
  );
}

function ask(question: string, then: (answer: string) => unknown): void {
  const answer = window.prompt(question);
  if (answer !== null) void then(answer.trim());
}

document.getElementById('post')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const box = document.getElementById('idea-text') as HTMLTextAreaElement;
  if (!box.value.trim()) return;
  void send('idea:post', { text: box.value.trim() }).then(() => (box.value = ''));
});

function renderControls(s: RoomState): void {
  const round = s.current === null ? undefined : s.rounds[s.current];
  const next = s.current === null ? 0 : s.current + 1;
  const controls = $('controls');
  controls.replaceChildren(
    ...(next < s.rounds.length ? [button(`Open the next round: ${s.rounds[next].title}`, () => send('round:open', { round: next }))] : []),
    ...(round?.status === 'open' ? [button('Pause', () => send('round:pause')), button('Add 5 minutes', () => send('round:extend', { minutes: 5 }))] : []),
    ...(round?.status === 'paused' ? [button('Resume', () => send('round:resume'))] : []),
    ...(round && (round.status === 'open' || round.status === 'paused') ? [button('Close the round', () => send('round:close'))] : []),
    ...(s.queue.length && round?.status === 'open' ? [button('Give the floor to the next in the queue', () => send('floor:give'))] : []),
    ...(s.floor && !s.turns ? [button('End this turn', () => send('floor:take'))] : []),
    ...(round?.type === 'round-robin' && round.status === 'open' && !s.turns ? [button('Start the round-robin', () => send('turn:start'))] : []),
    ...(s.turns && s.turns.index < s.turns.order.length ? [button('Next turn', () => send('turn:next'))] : []),
  );
  const groups = $('airtime-groups');
  groups.replaceChildren(
    ...(report?.groups ?? []).map((g) => {
      const li = document.createElement('li');
      li.textContent = `${g.category} ${g.value}: ${g.spoken} of ${g.members} have spoken; ${Math.round(g.airtimeShare * 100)}% of the airtime for ${Math.round(g.memberShare * 100)}% of the panel`;
      if (g.airtimeShare < g.memberShare / 2) li.className = 'quiet';
      return li;
    }),
  );
  $('not-spoken').textContent = report ? `Not spoken yet: ${report.notSpoken.length ? report.notSpoken.join(', ') : 'nobody'}.` : '';
  const airtime = $('airtime');
  airtime.replaceChildren(
    ...Object.entries(s.airtime)
      .sort((a, b) => b[1] - a[1])
      .map(([m, ms]) => {
        const li = document.createElement('li');
        li.textContent = `${m}: ${Math.round(ms / 1000)} s`;
        return li;
      }),
  );
}

function tick(): void {
  const round = state && state.current !== null ? state.rounds[state.current] : undefined;
  const timer = $('timer');
  if (!round) return void (timer.textContent = '');
  const left = round.status === 'open' ? (round.deadline ?? 0) - (Date.now() + offset) : round.status === 'paused' ? (round.remainingMs ?? 0) : 0;
  const text = (ms: number) => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;
  timer.textContent = round.status === 'closed' ? 'Closed' : left >= 0 ? `${text(left)} left${round.status === 'paused' ? ' (paused)' : ''}` : `${text(-left)} over time`;
}

function button(label: string, action: () => unknown): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => void action());
  return b;
}

/** A command's id; crypto.randomUUID needs a secure context, which a hall's local server may not be. */
function newId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function member(): string {
  return you?.role === 'panellist' ? you.member : '';
}

function show(selector: string, text: string): void {
  const el = document.querySelector(selector);
  if (el) el.textContent = text;
}

function announce(text: string, urgent = false): void {
  const region = $(urgent ? 'alert' : 'announce');
  region.textContent = text;
}

setInterval(tick, 1000);
