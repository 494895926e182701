/**
 * Who may do what (issue 8): every HTTP route the app mounts and every event the room takes, against every kind
 * of person. This file is the one source: test/security/permissions.test.ts makes a real request for every cell,
 * and checks that docs/permissions.md holds exactly the tables `renderTables` makes from it.
 */

/** Roles on the web site. A panellist has no login: what they hold is their invitation link (and a join link). */
export const HTTP_ROLES = ['public', 'registrant', 'panellist', 'otherPanellist', 'facilitator', 'organiser', 'otherFacilitator', 'otherOrganiser', 'admin'] as const;
export type HttpRole = (typeof HTTP_ROLES)[number];

/** Roles in the live room: the same people, and the observer (a join link for the projector or a livestream). */
export const ROOM_ROLES = ['public', 'registrant', 'panellist', 'otherPanellist', 'observer', 'facilitator', 'organiser', 'otherFacilitator', 'otherOrganiser', 'admin'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ROLE_NAMES: Record<RoomRole, string> = {
  public: 'public',
  registrant: 'registrant',
  panellist: 'panellist',
  otherPanellist: 'panellist of another session',
  observer: 'observer',
  facilitator: "facilitator on the panel's team",
  organiser: "organiser on the panel's team",
  otherFacilitator: "facilitator of another panel",
  otherOrganiser: "organiser of another panel",
  admin: 'administrator',
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

/**
 * Who a route is for; the cells follow from it and the method. `staff`: anyone signed in (each sees only their
 * teams' panels); `team`: the panel's team, facilitators and organisers; `teamOrganiser`: the panel's organisers;
 * `admin`: administrators only. Administrators may do everything the panel's team may.
 */
type Audience = 'everyone' | 'link' | 'staff' | 'team' | 'teamOrganiser' | 'admin';

const HTTP_ROUTES = [
  // The public outcomes site: mounted before cookies and logins, the same page for everyone.
  ['GET /outcomes', 'everyone', 'List the panels with published outcomes'],
  ['GET /outcomes/:slug', 'everyone', "A panel's outcomes: what it recommended, who is on it, how it was chosen"],
  ['GET /outcomes/:slug/feed.atom', 'everyone', "An Atom feed of the council's response and its progress"],
  ['GET /outcomes/:slug/progress.json', 'everyone', "The council's response and its milestones, as JSON"],
  ['GET /outcomes/:slug/progress.csv', 'everyone', "The council's response and its milestones, as CSV"],
  ['GET /outcomes/:slug/sessions/:id', 'everyone', "A session's published summary, latest version"],
  ['GET /outcomes/:slug/sessions/:id/v/:version', 'everyone', 'One fixed version of that summary'],
  ['GET /outcomes/:slug/sessions/:id/v/:version/summary.json', 'everyone', 'Download that version as JSON'],
  ['GET /outcomes/:slug/sessions/:id/v/:version/:table.csv', 'everyone', 'Download one of its tables as CSV'],
  ['GET /', 'everyone', 'The home page: panels open for registration'],
  ['GET /healthz', 'everyone', 'Alive check (for a restart policy)'],
  ['GET /metrics', 'everyone', 'Prometheus metrics: this machine only (not through a proxy), or whoever has METRICS_TOKEN; counts and timings, no personal data'],
  ['GET /readyz', 'everyone', 'Ready check: database writable and intact, schema current, disk free (no personal data)'],
  ['GET /login', 'everyone', 'The login page'],
  ['POST /login', 'everyone', 'Log in'],
  ['POST /logout', 'everyone', 'Log out (ends only the login it is sent with)'],
  ['GET /login/code', 'everyone', 'The two-factor code page, after a right password (else back to log in)'],
  ['POST /login/code', 'everyone', 'Sign in with the code from the app, or a recovery code'],
  ['GET /password/forgot', 'everyone', '"Forgotten your password?": the form asking for the email address one logs in with'],
  ['POST /password/forgot', 'everyone', 'Ask for a link to choose a new password (the same answer whether or not there is an account for the address)'],
  ['GET /password/reset/:token', 'everyone', 'The page a reset link opens (only its holder has the link; it works once, for 30 minutes)'],
  ['POST /password/reset/:token', 'everyone', 'Choose a new password with the link (ends every other session; two-factor is still asked at the next sign-in)'],
  ['GET /account/setup/:token', 'everyone', "The page a new account's set-up link opens (only its holder has the link; it works once, for 7 days)"],
  ['POST /account/setup/:token', 'everyone', "Choose a new account's password with the link"],
  ['GET /register/:slug', 'everyone', "A panel's registration form (a draft panel's is 404 for everyone)"],
  ['POST /register/:slug', 'everyone', 'Register for a panel'],
  ['GET /register/:slug/thanks', 'everyone', 'The thank-you page after registering'],
  ['GET /privacy', 'everyone', 'The privacy notice'],
  ['GET /messages/stop/:token', 'everyone', "The page a person's stop link opens (a button; only its holder has the link)"],
  ['POST /messages/stop/:token', 'everyone', 'Stop reminders and news by email, with the link from a message (or its one-click POST)'],
  ['GET /confirm/:token', 'everyone', "The page a registration's confirmation link opens (a button; only its holder has the link)"],
  ['POST /confirm/:token', 'everyone', "Confirm a registration's email address, with the link from its message"],
  ['GET /panels/:slug/selection', 'everyone', 'How the panel was chosen: commitment, numbers, seed, draws'],
  ['GET /panels/:slug/selection/quotas.csv', 'everyone', 'The committed quotas'],
  ['GET /panels/:slug/selection/dropout.csv', 'everyone', 'The dropout table the committed alternates are chosen for'],
  ['GET /panels/:slug/selection/panels.sha256.txt', 'everyone', "A final pick by dice: the list's digests, one SHA-256 per panel (no tickets)"],
  ['GET /room/:sessionId', 'everyone', "The room's page: it holds no data; the link's pass opens the room"],
  // A member's invitation link: the token is the key, and nothing else opens it.
  ['GET /invite/:token', 'link', 'Your invitation (once confirmed: your way into the live sessions)'],
  ['POST /invite/:token', 'link', 'Accept (saying what the room should call you) or decline your invitation'],
  ['POST /invite/:token/name', 'link', 'Change what the room calls you (confirmed members)'],
  // Staff: facilitators and organisers.
  ['GET /admin', 'staff', 'The dashboard: the panels whose team you are on'],
  ['GET /admin/sessions', 'staff', 'Live sessions of your teams: list, enter, and the form to create one'],
  ['POST /admin/sessions', 'team', "Create a live session for this panel from the agenda builder (shows its join links once). The builder's other buttons (add, move, delete, template, import, download as JSON) store nothing and only redraw the form or send the agenda back"],
  ['POST /admin/sessions/:id/links', 'team', "Replace a session's join links (the old ones stop working at once)"],
  ['GET /admin/sessions/:id/day', 'team', "A session's day, place and what to bring, as its members are told"],
  ['POST /admin/sessions/:id/day', 'team', "Set a session's day and email its confirmed members the details"],
  ['GET /admin/sessions/:id/summary', 'team', "A session's written summary: edit it"],
  ['GET /admin/sessions/:id/summary/preview', 'team', 'Preview the saved summary as the public would see it'],
  ['POST /admin/sessions/:id/summary', 'team', 'Save the summary (a new revision)'],
  ['POST /admin/sessions/:id/summary/publish', 'teamOrganiser', 'Publish the approved summary, or a correction'],
  // Administrators: panels, accounts and teams.
  ['GET /admin/panels/new', 'admin', 'The form to create a panel'],
  ['POST /admin/panels', 'admin', 'Create a panel'],
  ['GET /account', 'staff', 'Your account: where you are signed in, and your password'],
  ['POST /account/sessions/others/end', 'staff', 'Sign out everywhere else'],
  ['POST /account/sessions/:id/end', 'staff', 'Sign out one of your own sessions'],
  ['POST /account/password', 'staff', 'Change your password'],
  ['GET /account/two-factor', 'staff', 'Two-factor sign-in: set it up, or its recovery codes'],
  ['POST /account/two-factor', 'staff', 'Turn two-factor sign-in on with a code from the app'],
  ['POST /account/two-factor/recovery', 'staff', 'New recovery codes (the old ones stop working)'],
  ['POST /account/two-factor/off', 'staff', 'Turn two-factor sign-in off (password and a code)'],
  ['GET /admin/people', 'admin', 'People and teams: every account, and the form to create one'],
  ['POST /admin/people/:id/two-factor/reset', 'admin', "Reset someone's two-factor sign-in, for a lost phone (ends their sessions)"],
  ['POST /admin/people/:id/reset', 'admin', "Reset someone's password (shown once; they choose a new one at their next sign-in)"],
  ['POST /admin/people', 'admin', 'Create an account (the person is emailed a link to choose their password)'],
  ['GET /admin/audit', 'admin', "The installation's audit trail: every panel's, and sign-ins, sign-outs and accounts; filter by action, person, panel and dates, 50 a page (reading it is recorded)"],
  ['GET /admin/audit.csv', 'admin', 'Download the filtered audit trail as CSV (recorded)'],
  ['GET /admin/panels/:id/team', 'team', "The panel's team"],
  ['POST /admin/panels/:id/team', 'admin', "Add someone to the panel's team"],
  ['POST /admin/panels/:id/team/:user/remove', 'admin', "Take someone off the panel's team (their room sockets close at once)"],
  // The panel's organisers: registrations, quotas, pool, selection.
  ['GET /admin/panels/:id', 'teamOrganiser', 'A panel: its categories, pool size and a link to its audit trail'],
  ['GET /admin/panels/:id/audit', 'teamOrganiser', "The panel's audit trail: what was done, and who saw or downloaded residents' data; filter by action, person and dates, 50 a page (reading it is recorded)"],
  ['GET /admin/panels/:id/audit.csv', 'teamOrganiser', "Download the panel's filtered audit trail as CSV (recorded)"],
  ['POST /admin/panels/:id/open', 'teamOrganiser', 'Open registration'],
  ['POST /admin/panels/:id/registration/close', 'teamOrganiser', 'Close registration (before the commitment; for good)'],
  ['POST /admin/panels/:id/categories', 'teamOrganiser', 'Add a category'],
  ['POST /admin/panels/:id/categories/copy', 'teamOrganiser', 'Copy the categories of another of their panels into a draft'],
  ['POST /admin/panels/:id/categories/:categoryId/delete', 'teamOrganiser', 'Remove a category'],
  ['GET /admin/panels/:id/edit', 'teamOrganiser', "The form to edit a panel: its settings and the event's details for the invitation"],
  ['POST /admin/panels/:id/edit', 'teamOrganiser', 'Edit a panel (its size and closing date only while no commitment or closing fixes them)'],
  ['POST /admin/panels/:id/delete', 'admin', 'Delete a draft panel that has gathered nothing (with a tick: it cannot be undone)'],
  ['GET /admin/panels/:id/quotas', 'teamOrganiser', 'Quotas'],
  ['POST /admin/panels/:id/quotas', 'teamOrganiser', 'Save typed quotas'],
  ['POST /admin/panels/:id/quotas/compute', 'teamOrganiser', 'Compute quotas from population shares'],
  ['POST /admin/panels/:id/quotas/two-way', 'teamOrganiser', 'Add or change a two-way quota (two values of two categories)'],
  ['POST /admin/panels/:id/quotas/two-way/:qid/remove', 'teamOrganiser', 'Remove a two-way quota'],
  ['POST /admin/panels/:id/quotas/import', 'teamOrganiser', 'Import quotas from CSV'],
  ['GET /admin/panels/:id/response', 'teamOrganiser', 'The council’s response to the adopted recommendations: drafts and versions'],
  ['POST /admin/panels/:id/response/:sessionId/:rec', 'teamOrganiser', 'Save the draft response to one adopted recommendation'],
  ['POST /admin/panels/:id/response/publish', 'teamOrganiser', 'Publish the council’s response as a new version'],
  ['POST /admin/panels/:id/response/:sessionId/:rec/milestones', 'teamOrganiser', 'Add a milestone to an answered recommendation (public at once)'],
  ['POST /admin/panels/:id/milestones/:milestoneId/updates', 'teamOrganiser', 'Post an update to a milestone (public at once)'],
  ['POST /admin/panels/:id/quotas/crossings', 'teamOrganiser', 'Upload the census’s crossings of two categories (CSV), for the draw page’s intersection picture'],
  ['POST /admin/panels/:id/quotas/crossings/remove', 'teamOrganiser', 'Remove the census’s crossings'],
  ['GET /admin/panels/:id/quotas.csv', 'teamOrganiser', 'Export quotas as CSV'],
  ['GET /admin/panels/:id/pool', 'teamOrganiser', 'The pool, with personal data'],
  ['POST /admin/panels/:id/pool/import', 'teamOrganiser', 'Import registrations from CSV'],
  ['GET /admin/panels/:id/pool.csv', 'teamOrganiser', 'Export the pool, with personal data, as CSV'],
  ['GET /admin/panels/:id/registrants/:rid/subject-access', 'teamOrganiser', "See everything held about a registrant (subject access)"],
  ['GET /admin/panels/:id/registrants/:rid/subject-access.json', 'teamOrganiser', "Download everything held about a registrant as JSON"],
  ['GET /admin/panels/:id/registrants/:rid/correct', 'teamOrganiser', "Open the form correcting a registrant's details"],
  ['POST /admin/panels/:id/registrants/:rid/correct', 'teamOrganiser', "Correct a registrant's details"],
  ['GET /admin/panels/:id/registrants/:rid/erase', 'teamOrganiser', 'Confirm erasing a registrant'],
  ['POST /admin/panels/:id/registrants/:rid/erase', 'teamOrganiser', 'Erase a registrant'],
  ['GET /admin/panels/:id/registrations/by-staff', 'teamOrganiser', 'The registration form for staff taking one by phone or on paper'],
  ['POST /admin/panels/:id/registrations/by-staff', 'teamOrganiser', 'Register someone by phone or from paper (channel recorded)'],
  ['GET /admin/panels/:id/mailout', 'teamOrganiser', 'Letters to households: the register, the plan, the waves'],
  ['POST /admin/panels/:id/mailout/register', 'teamOrganiser', 'Import an address register from CSV'],
  ['GET /admin/panels/:id/messages', 'teamOrganiser', "The panel's messages and their states"],
  ['GET /admin/panels/:id/messages/:mid', 'teamOrganiser', 'One message as it went (its personal link left out)'],
  ['POST /admin/panels/:id/messages/:mid/resend', 'teamOrganiser', 'Send a sent or failed message again'],
  ['GET /admin/panels/:id/message-wording', 'teamOrganiser', "Which of the panel's messages have its own wording, by language"],
  ['GET /admin/panels/:id/message-wording/:kind/:lang', 'teamOrganiser', "One message's wording in one language, with a preview"],
  ['POST /admin/panels/:id/message-wording/:kind/:lang', 'teamOrganiser', "Preview, save, test-send to oneself, or put back the standard wording of one message"],
  ['POST /admin/panels/:id/selection/confirmed-only', 'teamOrganiser', 'Choose whether only confirmed email addresses go into the draw (before the commitment)'],
  ['POST /admin/panels/:id/selection/dropout', 'teamOrganiser', 'Set the dropout table the alternates are chosen for (before the commitment)'],
  ['POST /admin/panels/:id/selection/dropout/history', 'teamOrganiser', 'Estimate the dropout table from earlier panels the organiser works on (shown, not saved)'],
  ['GET /admin/panels/:id/translations', 'teamOrganiser', "Where the translations of the panel's own words stand, by language"],
  ['GET /admin/panels/:id/translations/:lang', 'teamOrganiser', "The panel's own words beside their translation into one language"],
  ['POST /admin/panels/:id/translations/:lang', 'teamOrganiser', "Save the translations of the panel's own words into one language"],
  ['POST /admin/panels/:id/mailout/register/demo', 'teamOrganiser', 'Import the illustrative Coventry register'],
  ['POST /admin/panels/:id/mailout/register/dismiss', 'teamOrganiser', "Dismiss a register import's result"],
  ['POST /admin/panels/:id/mailout/plan', 'teamOrganiser', 'Save the mail-out plan'],
  ['POST /admin/panels/:id/mailout/letter', 'teamOrganiser', "Save the letter's sender, help lines and registration rules"],
  ['POST /admin/panels/:id/mailout/waves', 'teamOrganiser', 'Commit a wave of letters'],
  ['POST /admin/panels/:id/mailout/waves/:n/draw', 'teamOrganiser', "Enter the public numbers: draws the wave's addresses"],
  ['POST /admin/panels/:id/mailout/reminders', 'teamOrganiser', 'Send a reminder wave'],
  ['GET /admin/panels/:id/mailout/waves/:n/commitment.json', 'teamOrganiser', "A wave's commitment (no addresses)"],
  ['GET /admin/panels/:id/mailout/waves/:n/letters.pdf', 'teamOrganiser', "A wave's letters as PDF, with addresses and codes"],
  ['GET /admin/panels/:id/mailout/waves/:n/letters.csv', 'teamOrganiser', "A wave's letters as CSV for a print house, with addresses and codes"],
  ['GET /admin/panels/:id/mailout/responses', 'teamOrganiser', 'The response dashboard, with the addresses to check'],
  ['POST /admin/panels/:id/mailout/responses/flags/:rid/checked', 'teamOrganiser', "Mark a registrant's differing address as checked"],
  ['GET /admin/panels/:id/selection', 'teamOrganiser', 'Selection: draws, commitment, members'],
  ['POST /admin/panels/:id/draws', 'teamOrganiser', 'Run a trial draw'],
  ['GET /admin/panels/:id/draws/:drawId', 'teamOrganiser', "A draw's page, with names of those selected"],
  ['GET /admin/panels/:id/draws/:drawId/chances.csv', 'teamOrganiser', "A draw's chances of selection as CSV"],
  ['GET /admin/panels/:id/draws/:drawId/events', 'teamOrganiser', "A running draw's progress (server-sent events)"],
  ['POST /admin/panels/:id/commitment', 'teamOrganiser', 'Publish the commitment'],
  ['POST /admin/panels/:id/commitment/numbers', 'teamOrganiser', 'Enter the public numbers (or the number the dice show): runs the final draw'],
  ['GET /admin/panels/:id/selection/dice', 'teamOrganiser', 'A final pick by dice: the sheet for the live draw (range, what each die gives, fingerprint), to print'],
  ['POST /admin/panels/:id/commitment/rerun', 'teamOrganiser', 'Run again a final draw that failed'],
  ['POST /admin/panels/:id/invitations', 'teamOrganiser', 'Make invitation links for everyone drawn'],
  ['POST /admin/panels/:id/invitations/remind', 'teamOrganiser', 'Email a reminder to everyone invited who has not answered'],
  ['POST /admin/panels/:id/members/:memberId/invitation', 'teamOrganiser', "Replace a member's invitation link"],
  ['GET /admin/panels/:id/letters', 'teamOrganiser', 'Letters by post: who gave no email address and has not answered, and what printing does to their links'],
  ['POST /admin/panels/:id/letters.pdf', 'teamOrganiser', "Print invitation letters as PDF (or one member's, ?member=): makes each a new link, with names and addresses"],
  ['POST /admin/panels/:id/members/:memberId/withdraw', 'teamOrganiser', 'Record that a member has withdrawn'],
  ['POST /admin/panels/:id/replacements', 'teamOrganiser', 'Draw replacements for empty seats'],
  ['POST /admin/panels/:id/alternates/seat', 'teamOrganiser', 'Seat the final draw’s ranked alternates in empty seats'],
  ['GET /admin/panels/:id/auditors/pool.csv', 'teamOrganiser', 'The committed pool with tickets, for named auditors'],
  ['GET /admin/panels/:id/auditors/panels.txt', 'teamOrganiser', 'A final pick by dice: the list of panels by tickets, for named auditors'],
  ['GET /admin/panels/:id/auditors/chances.csv', 'teamOrganiser', "A final pick by dice: each ticket's chance in the list and in the lottery, for named auditors"],
  ['GET /admin/panels/:id/auditors/draws/:drawId/:file', 'teamOrganiser', "A final or replacement draw's inputs with tickets, for named auditors"],
  ['POST /admin/panels/:id/auditors', 'teamOrganiser', 'Record the auditor given the files'],
  ['POST /admin/panels/:id/auditors/:auditorId/statement', 'teamOrganiser', "Publish an auditor's statement"],
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
  const staff = (team: HttpVerdict, organiser: HttpVerdict, others: HttpVerdict, admin: HttpVerdict) =>
    ({ ...anonymous, facilitator: team, organiser, otherFacilitator: others, otherOrganiser: others, admin });
  if (audience === 'staff') return staff('allowed', 'allowed', 'allowed', 'allowed');
  if (audience === 'team') return staff('allowed', 'allowed', 'forbidden', 'allowed');
  if (audience === 'teamOrganiser') return staff('forbidden', 'allowed', 'forbidden', 'allowed');
  return staff('forbidden', 'forbidden', 'forbidden', 'allowed');
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
  ['turn:start', 'facilitator', 'Start a round-robin (members not connected are skipped)'],
  ['turn:add', 'facilitator', 'Give a skipped member their turn after all'],
  ['turn:next', 'own', 'Move to the next turn', "own turn (to pass), or as their table's note-taker"],
  ['tables:propose', 'facilitator', 'Seat the panel at mixed tables'],
  ['tables:move', 'facilitator', 'Move a member to another table'],
  ['table:note-taker', 'own', "Name a table's note-taker", 'only themselves, at their own table'],
  ['table:next', 'own', "Give a table's floor to the next hand", "their table, as its note-taker or speaker"],
  ['table:report', 'own', "Write a table's report back", "their table, as its note-taker"],
  ['vote:open', 'facilitator', 'Open a vote'],
  ['vote:cast', 'panellist', 'Cast or change a ballot'],
  ['vote:paper', 'facilitator', 'Enter a count of paper ballots, naming who voted on paper (signed in: a join link names no person)'],
  ['vote:close', 'facilitator', 'Close and count a vote'],
  ['rec:draft', 'facilitator', 'Draft a recommendation'],
  ['rec:amend', 'both', 'Propose an amendment (the facilitator, for someone in the hall)'],
  ['rec:withdraw', 'own', 'Withdraw an amendment, or (facilitator) a draft', 'own amendment only, never a draft'],
  ['rec:minority', 'panellist', 'Write a minority statement on an adopted recommendation'],
  ['rec:support', 'panellist', 'Sign, or unsign, a minority statement'],
  ['room:sync', 'connected', 'Ask for the whole room again'],
  ['summary:read', 'connected', 'Read the revision of the summary a vote asks the panel to approve (facilitators: any revision)'],
  ['vote:check', 'panellist', 'Was the ballot behind this receipt counted? (the ballot itself only with the voting device\'s unlock)'],
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
  const outside = { public: 'handshake', registrant: 'handshake', otherPanellist: 'handshake', otherFacilitator: 'handshake', otherOrganiser: 'handshake' } as const;
  const staff = (v: RoomVerdict) => ({ facilitator: v, organiser: v, admin: v });
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
