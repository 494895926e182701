import type { Clock } from './clock';
import type { Config } from './config';
import type { Db } from './db';

/** What every feature router is built from. */
export interface AppContext {
  db: Db;
  clock: Clock;
  config: Config;
}
