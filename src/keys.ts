import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';

/**
 * Secrets kept outside the database file (docs/voting.md): someone with a copy of the database, its WAL and
 * its backups holds none of them. One file per key in a folder only the app's user can read. A key is made on
 * first use and written to disk (flushed) before anything that depends on it is stored; a dropped key is gone,
 * and so is whatever only it could open (that is the point of dropping a vote's key at its close).
 */
export interface KeyStore {
  /** The key called `name`: 32 random bytes, made now if there is none. */
  key(name: string): Buffer;
  has(name: string): boolean;
  drop(name: string): void;
  names(): string[];
}

const NAME = /^[a-z0-9-]{1,64}$/;

class FileKeys implements KeyStore {
  private readonly cache = new Map<string, Buffer>();
  constructor(private readonly dir: string) {}

  key(name: string): Buffer {
    const cached = this.cache.get(checked(name));
    if (cached) return cached;
    const file = this.file(name);
    if (!fs.existsSync(file)) this.write(file, crypto.randomBytes(32));
    const key = fs.readFileSync(file);
    if (key.length !== 32) throw new Error(`The key file ${file} is damaged (${key.length} bytes, not 32). Restore it from where you keep the key folder's copy.`);
    this.cache.set(name, key);
    return key;
  }

  has(name: string): boolean {
    return this.cache.has(checked(name)) || fs.existsSync(this.file(name));
  }

  drop(name: string): void {
    this.cache.delete(checked(name));
    fs.rmSync(this.file(name), { force: true });
  }

  names(): string[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).flatMap((f) => (f.endsWith('.key') ? [f.slice(0, -4)] : []));
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.key`);
  }

  /** Written whole or not at all, and on disk before the caller goes on: a crash never leaves half a key. */
  private write(file: string, key: Buffer): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, key);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    const dir = fs.openSync(this.dir, 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }
}

/** For a database in memory (tests): keys that live as long as the process, as the database does. */
class MemoryKeys implements KeyStore {
  private readonly keys = new Map<string, Buffer>();
  key(name: string): Buffer {
    if (!this.keys.has(checked(name))) this.keys.set(name, crypto.randomBytes(32));
    return this.keys.get(name) as Buffer;
  }
  has(name: string): boolean {
    return this.keys.has(checked(name));
  }
  drop(name: string): void {
    this.keys.delete(checked(name));
  }
  names(): string[] {
    return [...this.keys.keys()];
  }
}

function checked(name: string): string {
  if (!NAME.test(name)) throw new Error(`A key's name is lower-case letters, digits and dashes, not ${JSON.stringify(name)}.`);
  return name;
}

const stores = new WeakMap<Db, { folder: string; store: KeyStore }>();

/**
 * The key store of this database: the folder `dir` if given (KEYS_DIR), else `<database file>.keys` beside it,
 * or memory for an in-memory database. One store per database, so every part of the app sees the same keys.
 */
export function keyStore(db: Db, dir?: string): KeyStore {
  const folder = db.memory && !dir ? ':memory:' : path.resolve(dir ?? `${db.name}.keys`);
  const kept = stores.get(db);
  if (kept && kept.folder !== folder) throw new Error(`This database's keys are in ${kept.folder}, not ${folder}: give every part of the app the same KEYS_DIR.`);
  if (kept) return kept.store;
  const store = folder === ':memory:' ? new MemoryKeys() : new FileKeys(folder);
  stores.set(db, { folder, store });
  return store;
}

/**
 * A warning when the key folder sits beside the database, where a copy of the data folder takes both: the
 * promise that the database files alone link no ballot then rests on nobody copying the folder (docs/voting.md).
 */
export function keysBesideDatabase(db: Db, dir?: string): string | undefined {
  if (db.memory) return undefined;
  const folder = path.resolve(dir ?? `${db.name}.keys`);
  if (path.dirname(folder) !== path.dirname(path.resolve(db.name))) return undefined;
  return `The key folder ${folder} is beside the database. Whoever copies that folder gets the keys too: set KEYS_DIR to a folder on another disk, away from the database and its backups (docs/voting.md).`;
}
