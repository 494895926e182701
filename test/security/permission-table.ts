/**
 * Who may do what (issue 8): every HTTP route the app mounts and every event the room takes, against every kind
 * of person. This file is the one source: test/security/permissions.test.ts makes a real request for every cell,
 * and checks that docs/permissions.md holds exactly the tables `renderTables` makes from it.
 */

/** Roles on the web site. A panellist has no login: what they hold is their invitation link (and a join link). */
export const HTTP_ROLES = ['public', 'registrant', 'panellist', 'otherPanellist', 'facilitator', 'organiser'] as const;
export type HttpRole = (typeof HTTP_ROLES)[number];

/** Roles in the live room: the same people, and the observer (a join link for the projector or a livestream). */
export const ROOM_ROLES = ['public', 'registrant', 'panellist', 'otherPanellist', 'observer', 'facilitator', 'organiser'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ROLE_NAMES: Record<RoomRole, string> = {
  public: 'public',
  registrant: 'registrant',
  panellist: 'panellist',
  otherPanellist: 'panellist of another session',
  observer: 'observer',
  facilitator: 'facilitator',
  organiser: 'organiser',
};

/**
 * What happens to a request. `login`: a GET is sent to the login page (302); `unauthorised`: any other method
 * without a login gets 401; `forbidden`: logged in with the wrong role, 403; `no-link`: without a valid link,
 * the page does not exist (404).
 */
export type HttpVerdict = 'allowed' | 'login' | 'unauthorised' | 'forbidden' | 'no-link';

/**
 * What happens to a room event. `forbidden`: the acknowledgement is `{ ok: false, error: 'forbidden' }` and nothing
 * changes; `handshake`: the connection itself is refused (`connect_error`), so no event can be sent at all;
 * `own`: allowed only for what is the panellist's own (the row's `own` says what), otherwise `forbidden`.
 */
export type RoomVerdict = 'allowed' | 'own' | 'forbidden' | 'handshake';

/** Who a route is for; the cells follow from it and the method. */
type Audience = 'everyone' | 'link' | 'staff' | 'organiser';

const HTTP_ROUTES = [
  // The public outcomes site: mounted before cookies and logins, the same page for everyone.
  ['GET /outcomes', 'everyone', 'List the panels with published outcomes'],
  ['GET /outcomes/:slug', 'everyone', "A panel's outcomes: what it recommended, who is on it, how it was chosen"],
  ['GET /outcomes/:slug/sessions/:id', 'everyone', "A session's published summary, latest version"],
  ['GET /outcomes/:slug/sessions/:id/v/:version', 'everyone', 'One fixed version of that summary'],
  ['GET /outcomes/:slug/sessions/:id/v/:version/summary.json', 'everyone', 'Download that version as JSON'],
  ['GET /outcomes/:slug/sessions/:id/v/:version/:table.csv', 'everyone', 'Download one of its tables as CSV'],
  ['GET /', 'everyone', 'The home page: panels open for registration'],
  ['GET /healthz', 'everyone', 'Health check'],
  ['GET /login', 'everyone', 'The login page'],
  ['POST /login', 'everyone', 'Log in'],
  ['POST /logout', 'everyone', 'Log out (ends only the login it is sent with)'],
  ['GET /register/:slug', 'everyone', "A panel's registration form (a draft panel's is 404 for everyone)"],
  ['POST /register/:slug', 'everyone', 'Register for a panel'],
  ['GET /register/:slug/thanks', 'everyone', 'The thank-you page after registering'],
  ['GET /privacy', 'everyone', 'The privacy notice'],
  ['GET /panels/:slug/selection', 'everyone', 'How the panel was chosen: commitment, numbers, seed, draws'],
  ['GET /panels/:slug/selection/pool.csv', 'everyone', 'The committed pseudonymised pool'],
  ['GET /panels/:slug/selection/quotas.csv', 'everyone', 'The committed quotas'],
  ['GET /panels/:slug/selection/draws/:drawId/:file', 'everyone', "A final or replacement draw's input files (never a trial's)"],
  ['GET /room/:sessionId', 'everyone', "The room's page: it holds no data; the link's pass opens the room"],
  // A member's invitation link: the token is the key, and nothing else opens it.
  ['GET /invite/:token', 'link', 'Your invitation (once confirmed: your way into the live sessions)'],
  ['POST /invite/:token', 'link', 'Accept or decline your invitation'],
  // Staff: facilitators and organisers.
  ['GET /admin', 'staff', 'The dashboard: the list of panels'],
  ['GET /admin/sessions', 'staff', 'Live sessions: list, enter, and the form to create one'],
  ['POST /admin/sessions', 'staff', 'Create a live session from an agenda (shows its join links once)'],
  ['POST /admin/sessions/:id/links', 'staff', "Replace a session's join links (the old ones stop working at once)"],
  ['GET /admin/sessions/:id/summary', 'staff', "A session's written summary: edit it"],
  ['GET /admin/sessions/:id/summary/preview', 'staff', 'Preview the saved summary as the public would see it'],
  ['POST /admin/sessions/:id/summary', 'staff', 'Save the summary (a new revision)'],
  ['POST /admin/sessions/:id/summary/publish', 'organiser', 'Publish the approved summary, or a correction'],
  // Organisers only: panels, registrations, quotas, pool, selection.
  ['GET /admin/panels/new', 'organiser', 'The form to create a panel'],
  ['POST /admin/panels', 'organiser', 'Create a panel'],
  ['GET /admin/panels/:id', 'organiser', 'A panel: its categories, pool size and activity log'],
  ['POST /admin/panels/:id/open', 'organiser', 'Open registration'],
  ['POST /admin/panels/:id/categories', 'organiser', 'Add a category'],
  ['POST /admin/panels/:id/categories/:categoryId/delete', 'organiser', 'Remove a category'],
  ['GET /admin/panels/:id/quotas', 'organiser', 'Quotas'],
  ['POST /admin/panels/:id/quotas', 'organiser', 'Save typed quotas'],
  ['POST /admin/panels/:id/quotas/compute', 'organiser', 'Compute quotas from population shares'],
  ['POST /admin/panels/:id/quotas/import', 'organiser', 'Import quotas from CSV'],
  ['GET /admin/panels/:id/quotas.csv', 'organiser', 'Export quotas as CSV'],
  ['GET /admin/panels/:id/pool', 'organiser', 'The pool, with personal data'],
  ['POST /admin/panels/:id/pool/import', 'organiser', 'Import registrations from CSV'],
  ['GET /admin/panels/:id/pool.csv', 'organiser', 'Export the pool, with personal data, as CSV'],
  ['GET /admin/panels/:id/registrants/:rid/erase', 'organiser', 'Confirm erasing a registrant'],
  ['POST /admin/panels/:id/registrants/:rid/erase', 'organiser', 'Erase a registrant'],
  ['GET /admin/panels/:id/selection', 'organiser', 'Selection: draws, commitment, members'],
  ['POST /admin/panels/:id/draws', 'organiser', 'Run a trial draw'],
  ['GET /admin/panels/:id/draws/:drawId', 'organiser', "A draw's page, with names of those selected"],
  ['GET /admin/panels/:id/draws/:drawId/chances.csv', 'organiser', "A draw's chances of selection as CSV"],
  ['GET /admin/panels/:id/draws/:drawId/events', 'organiser', "A running draw's progress (server-sent events)"],
  ['POST /admin/panels/:id/commitment', 'organiser', 'Publish the commitment'],
  ['POST /admin/panels/:id/commitment/numbers', 'organiser', 'Enter the public numbers: runs the final draw'],
  ['POST /admin/panels/:id/commitment/rerun', 'organiser', 'Run again a final draw that failed'],
  ['POST /admin/panels/:id/invitations', 'organiser', 'Make invitation links for everyone drawn'],
  ['POST /admin/panels/:id/members/:memberId/invitation', 'organiser', "Replace a member's invitation link"],
  ['POST /admin/panels/:id/members/:memberId/withdraw', 'organiser', 'Record that a member has withdrawn'],
  ['POST /admin/panels/:id/replacements', 'organiser', 'Draw replacements for empty seats'],
] as const satisfies readonly (readonly [string, Audience, string])[];

export type HttpAction = (typeof HTTP_ROUTES)[number][0];

export interface HttpRow {
  action: HttpAction;
  method: string;
  path: string;
  what: string;
  cells: Record<HttpRole, HttpVerdict>;
  /** An invitation page: allowed means with one's own link, the only one a person holds. */
  byLink: boolean;
}

function httpCells(audience: Audience, method: string): Record<HttpRole, HttpVerdict> {
  const all = (v: HttpVerdict) => Object.fromEntries(HTTP_ROLES.map((r) => [r, v])) as Record<HttpRole, HttpVerdict>;
  if (audience === 'everyone') return all('allowed');
  if (audience === 'link') return { ...all('no-link'), panellist: 'allowed', otherPanellist: 'allowed' };
  // No login: a page (GET) sends you to log in; anything else is a 401.
  const anonymous = all(method === 'GET' ? 'login' : 'unauthorised');
  if (audience === 'staff') return { ...anonymous, facilitator: 'allowed', organiser: 'allowed' };
  return { ...anonymous, facilitator: 'forbidden', organiser: 'allowed' };
}

export const HTTP_TABLE: readonly HttpRow[] = HTTP_ROUTES.map(([action, audience, what]) => {
  const [method, path] = action.split(' ');
  return { action, method, path, what, cells: httpCells(audience, method), byLink: audience === 'link' };
});

/** Who a room event is for; the cells follow from it. */
type RoomAudience = 'facilitator' | 'panellist' | 'both' | 'own' | 'connected';

const ROOM_EVENTS = [
  ['round:open', 'facilitator', 'Open a round (closing the one in hand)'],
  ['round:pause', 'facilitator', 'Pause the open round'],
  ['round:resume', 'facilitator', 'Resume a paused round'],
  ['round:extend', 'facilitator', 'Add time to the round'],
  ['round:close', 'facilitator', 'Close the round in hand'],
  ['floor:give', 'facilitator', 'Give the floor to a raised hand'],
  ['floor:take', 'facilitator', "End the speaker's turn"],
  ['queue:raise', 'panellist', 'Raise your hand'],
  ['queue:lower', 'own', 'Lower a hand', 'own hand only'],
  ['idea:post', 'panellist', 'Post to the board (ideas, table ideas, written questions)'],
  ['idea:support', 'panellist', "Support someone else's idea"],
  ['idea:theme', 'facilitator', 'Put an idea under a theme'],
  ['idea:merge', 'facilitator', 'Merge a duplicate idea into another'],
  ['idea:hide', 'facilitator', 'Hide an idea, with a reason kept in the record'],
  ['idea:pick', 'facilitator', "Put a written question to a briefing's speaker"],
  ['turn:start', 'facilitator', 'Start a round-robin'],
  ['turn:next', 'own', 'Move to the next turn', "own turn (to pass), or as their table's note-taker"],
  ['tables:propose', 'facilitator', 'Seat the panel at mixed tables'],
  ['tables:move', 'facilitator', 'Move a member to another table'],
  ['table:note-taker', 'own', "Name a table's note-taker", 'only themselves, at their own table'],
  ['table:next', 'own', "Give a table's floor to the next hand", "their table, as its note-taker or speaker"],
  ['table:report', 'own', "Write a table's report back", "their table, as its note-taker"],
  ['vote:open', 'facilitator', 'Open a vote'],
  ['vote:cast', 'panellist', 'Cast or change a ballot'],
  ['vote:paper', 'facilitator', 'Enter a count of paper ballots'],
  ['vote:close', 'facilitator', 'Close and count a vote'],
  ['rec:draft', 'facilitator', 'Draft a recommendation'],
  ['rec:amend', 'both', 'Propose an amendment (the facilitator, for someone in the hall)'],
  ['rec:withdraw', 'own', 'Withdraw an amendment, or (facilitator) a draft', 'own amendment only, never a draft'],
  ['rec:minority', 'panellist', 'Write a minority statement on an adopted recommendation'],
  ['rec:support', 'panellist', 'Sign, or unsign, a minority statement'],
  ['room:sync', 'connected', 'Ask for the whole room again'],
  ['vote:check', 'connected', 'Was my ballot counted? (needs the receipt, which only the voter holds)'],
] as const satisfies readonly (readonly [string, RoomAudience, string, string?])[];

export type RoomEvent = (typeof ROOM_EVENTS)[number][0];

export interface RoomRow {
  event: RoomEvent;
  what: string;
  cells: Record<RoomRole, RoomVerdict>;
  /** For `own` cells: what counts as the panellist's own. */
  own?: string;
}

function roomCells(audience: RoomAudience): Record<RoomRole, RoomVerdict> {
  // Without a credential for this session nobody gets past the handshake; every event needs a connection.
  const outside = { public: 'handshake', registrant: 'handshake', otherPanellist: 'handshake' } as const;
  const staff = (v: RoomVerdict) => ({ facilitator: v, organiser: v });
  if (audience === 'connected') return { ...outside, panellist: 'allowed', observer: 'allowed', ...staff('allowed') };
  if (audience === 'facilitator') return { ...outside, panellist: 'forbidden', observer: 'forbidden', ...staff('allowed') };
  if (audience === 'panellist') return { ...outside, panellist: 'allowed', observer: 'forbidden', ...staff('forbidden') };
  if (audience === 'both') return { ...outside, panellist: 'allowed', observer: 'forbidden', ...staff('allowed') };
  return { ...outside, panellist: 'own', observer: 'forbidden', ...staff('allowed') };
}

export const ROOM_TABLE: readonly RoomRow[] = ROOM_EVENTS.map((row) => {
  const [event, audience, what] = row;
  const own = row.length > 3 ? (row as readonly [string, string, string, string])[3] : undefined;
  return { event, what, cells: roomCells(audience), ...(own ? { own } : {}) };
});

const HTTP_WORDS: Record<HttpVerdict, string> = {
  allowed: 'yes',
  login: 'no: 302 to log in',
  unauthorised: 'no: 401',
  forbidden: 'no: 403',
  'no-link': 'no: 404',
};

const ROOM_WORDS: Record<Exclude<RoomVerdict, 'own'>, string> = {
  allowed: 'yes',
  forbidden: 'no: forbidden',
  handshake: 'no: handshake refused',
};

function markdownTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The two tables of docs/permissions.md, as Markdown, from the data above. */
export function renderTables(): string {
  const http = markdownTable(
    ['action', 'what it does', ...HTTP_ROLES.map((r) => ROLE_NAMES[r])],
    HTTP_TABLE.map((row) => [
      `\`${row.method} ${row.path}\``,
      row.what,
      ...HTTP_ROLES.map((r) => (row.byLink && row.cells[r] === 'allowed' ? 'yes, with their own link' : HTTP_WORDS[row.cells[r]])),
    ]),
  );
  const room = markdownTable(
    ['event', 'what it does', ...ROOM_ROLES.map((r) => ROLE_NAMES[r])],
    ROOM_TABLE.map((row) => [
      `\`${row.event}\``,
      row.what,
      ...ROOM_ROLES.map((r) => (row.cells[r] === 'own' ? `${row.own ?? 'own only'}; else no: forbidden` : ROOM_WORDS[row.cells[r] as Exclude<RoomVerdict, 'own'>])),
    ]),
  );
  return `### The web site\n\n${http}\n\n### The live room\n\n${room}\n`;
}
