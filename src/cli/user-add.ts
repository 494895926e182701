import { parseArgs } from 'node:util';
import { audit } from '../audit';
import { generatePassword } from '../auth/passwords';
import { addToTeam } from '../auth/teams';
import { createUser, newUserSchema, UserExistsError } from '../auth/users';
import { findPanelBySlug, listPanels } from '../panels/repo';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { closeDb, openDb } from '../db';
import type { Io } from './run';

export const USER_ADD_USAGE = `citizens-panel user add --role organiser|facilitator --email EMAIL [--name NAME] [--password PASSWORD] [--panel SLUG ...] [--admin]
      Creates an account in the database named by $DATABASE (default ./data/citizens-panel.db).
      Without --password, a strong password is generated and printed once.
      The password can also be given in $CITIZENS_PANEL_PASSWORD, which keeps it out of shell history.
      --panel SLUG (repeatable) puts them on that panel's team; without it an organiser or facilitator acts on no
      panel until an administrator adds them. --admin makes an administrator (creates panels and accounts, every panel).
`;

/** citizens-panel user add: an account, written to the audit trail (its role and teams, never its password). */
export function userAdd(args: string[], io: Io): number {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        role: { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        panel: { type: 'string', multiple: true },
        admin: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`citizens-panel user add: ${(err as Error).message}\n\n${USER_ADD_USAGE}`);
    return 2;
  }
  const env = io.env ?? process.env;
  const generated = !values.password && !env.CITIZENS_PANEL_PASSWORD;
  const password = values.password ?? env.CITIZENS_PANEL_PASSWORD ?? generatePassword();
  const input = newUserSchema.safeParse({
    role: values.role,
    email: values.email,
    name: values.name ?? values.email?.split('@')[0] ?? '',
    admin: values.admin ?? false,
    password,
  });
  if (!input.success) {
    for (const issue of input.error.issues) io.err(`citizens-panel user add: --${String(issue.path[0])}: ${issue.message}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const db = openDb(config.DATABASE);
  try {
    const panels = (values.panel ?? []).map((slug) => ({ slug, panel: findPanelBySlug(db, slug) }));
    const unknown = panels.filter((p) => !p.panel).map((p) => p.slug);
    if (unknown.length) {
      const known = listPanels(db).map((p) => p.slug);
      io.err(`citizens-panel user add: --panel: there is no panel ${unknown.map((s) => `"${s}"`).join(', ')}. ${known.length ? `The panels are: ${known.join(', ')}.` : 'There are no panels yet.'} Nothing was created.\n`);
      return 2;
    }
    const user = db.transaction(() => {
      const made = createUser(db, systemClock, input.data);
      for (const { panel } of panels) if (panel) addToTeam(db, panel.id, made.id, systemClock.now());
      audit(db, systemClock, { userId: null, panelId: null, action: 'cli.user.add', subject: String(made.id), detail: { via: 'cli', role: made.role, admin: made.admin, panels: panels.length } });
      return made;
    })();
    const teams = panels.length ? `on the team of ${panels.map((p) => p.slug).join(', ')}` : user.admin ? 'an administrator: every panel' : 'on no panel\'s team yet (add --panel SLUG, or add them on the panel\'s Team page)';
    io.out(`Created ${user.role} account ${user.email} in ${config.DATABASE}, ${teams}.\n`);
    if (generated) io.out(`Password (shown once): ${password}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof UserExistsError)) throw err;
    io.err(`citizens-panel user add: ${err.message} Choose another email.\n`);
    return 2;
  } finally {
    closeDb(db);
  }
}
