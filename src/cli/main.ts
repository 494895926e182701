#!/usr/bin/env node
import { run } from './run';

// Whatever a command writes (a database, a backup, a key) holds residents' data: readable by its owner only.
process.umask(0o077);

run(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: process.stderr.isTTY,
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`citizens-panel: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
