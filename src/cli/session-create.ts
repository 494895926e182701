import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { audit } from '../audit';
import { loadConfig, publicUrl } from '../config';
import { closeDb, openDb } from '../db';
import { findPanelBySlug } from '../panels/repo';
import { AgendaError, parseAgenda } from '../room/agenda';
import { createSession, joinLink } from '../room/create';
import { RoomRepo } from '../room/repo';
import type { Io } from './run';

export const SESSION_CREATE_USAGE = `citizens-panel session create --panel SLUG --agenda FILE [--base-url URL] [--json]
      Creates a live session for the panel from a JSON agenda (see fixtures/cultural-strategy-agenda.json) and
      prints the join links, once: the facilitator's, the observers', and one per panel member. Links start with
      --base-url, else $PUBLIC_URL, else http://localhost:$PORT.
`;

/** citizens-panel session create: a live session for a panel from an agenda file, with its join links. */
export function sessionCreate(args: string[], io: Io): number {
  const fail = (message: string, usage = false) => {
    io.err(`citizens-panel session create: ${message}\n${usage ? `\n${SESSION_CREATE_USAGE}` : ''}`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { panel: { type: 'string' }, agenda: { type: 'string' }, 'base-url': { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message, true);
  }
  if (!values.panel) return fail('--panel SLUG is required (the panel\'s web address, such as coventry-cultural-strategy)');
  if (!values.agenda) return fail('--agenda FILE is required (a JSON agenda, such as fixtures/cultural-strategy-agenda.json)');
  let agenda;
  try {
    agenda = parseAgenda(fs.readFileSync(values.agenda, 'utf8'));
  } catch (err) {
    if (err instanceof AgendaError) return fail(`${values.agenda}: ${err.message}`);
    return fail(`cannot read ${values.agenda}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const config = loadConfig(io.env ?? process.env);
  const base = values['base-url'] ?? publicUrl(config);
  const db = openDb(config.DATABASE);
  try {
    const panel = findPanelBySlug(db, values.panel);
    if (!panel) return fail(`no panel "${values.panel}" in ${config.DATABASE}; check the slug on the panel's page`);
    const made = db.transaction(() => {
      const session = createSession(db, systemClock, new RoomRepo(db), panel, agenda, null);
      audit(db, systemClock, { userId: null, panelId: panel.id, action: 'cli.session.create', subject: String(session.sessionId), detail: { via: 'cli', members: session.panellists.length } });
      return session;
    })();
    const links = {
      sessionId: made.sessionId,
      facilitator: joinLink(base, made.sessionId, made.facilitator),
      observer: joinLink(base, made.sessionId, made.observer),
      panellists: made.panellists.map((p) => ({ id: p.member, link: joinLink(base, made.sessionId, p.token) })),
    };
    if (values.json) {
      io.out(`${JSON.stringify(links)}\n`);
      return 0;
    }
    io.out(`Session ${made.sessionId} for ${panel.title}: "${agenda.title}", ${agenda.rounds.length} rounds.\n`);
    io.out(`Join links (shown once; keep them safe):\n  facilitator: ${links.facilitator}\n  observer:    ${links.observer}\n`);
    if (links.panellists.length === 0) io.out('  No panellists yet: no member of the panel has confirmed. Invite the people drawn; anyone who confirms later joins with their invitation link.\n');
    for (const p of links.panellists) io.out(`  ${p.id}: ${p.link}\n`);
    return 0;
  } finally {
    closeDb(db);
  }
}
