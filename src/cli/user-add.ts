import { parseArgs } from 'node:util';
import { generatePassword } from '../auth/passwords';
import { createUser, newUserSchema, UserExistsError } from '../auth/users';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { closeDb, openDb } from '../db';
import type { Io } from './run';

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
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`citizens-panel user add: ${(err as Error).message}\n`);
    return 2;
  }
  const env = io.env ?? process.env;
  const generated = !values.password && !env.CITIZENS_PANEL_PASSWORD;
  const password = values.password ?? env.CITIZENS_PANEL_PASSWORD ?? generatePassword();
  const input = newUserSchema.safeParse({
    role: values.role,
    email: values.email,
    name: values.name ?? values.email?.split('@')[0] ?? '',
    password,
  });
  if (!input.success) {
    for (const issue of input.error.issues) io.err(`citizens-panel user add: --${String(issue.path[0])}: ${issue.message}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const db = openDb(config.DATABASE);
  try {
    const user = createUser(db, systemClock, input.data);
    io.out(`Created ${user.role} account ${user.email} in ${config.DATABASE}.\n`);
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
