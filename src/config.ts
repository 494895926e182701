import { z } from 'zod';

const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

const schema = z.object({
  /** `production` turns on the safe defaults: no demo unless asked, PUBLIC_URL required, Secure cookies on https. */
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE: z.string().min(1).default('./data/citizens-panel.db'),
  /** The folder of secrets kept apart from the database (src/keys.ts): by default `<DATABASE>.keys` beside it. */
  KEYS_DIR: z.string().min(1).optional(),
  /**
   * The address people use to reach the site, such as https://panel.coventry.gov.uk: used for every link the app
   * prints or sends, and for the room's Origin check (a proxy may set its own Host). Required in production.
   */
  PUBLIC_URL: z.url({ error: 'must be the web address people use, such as https://panel.example.org' }).optional(),
  /** Whether to set up the Coventry demo on an empty database: on by default in development, off in production. */
  SEED_DEMO: flag.optional(),
  /** Cookies carry the Secure flag: by default, when PUBLIC_URL is https. */
  SECURE_COOKIES: flag.optional(),
  /** Who must sign in with a TOTP app as well as a password: nobody (each person may choose to), administrators, or organisers and administrators. */
  REQUIRE_TWO_FACTOR: z.enum(['none', 'admins', 'organisers'], { error: 'must be none, admins or organisers' }).default('none'),
  /** Set behind one reverse proxy: the client's address and scheme are then read from its X-Forwarded-* headers. */
  TRUST_PROXY: flag.default(false),
  LOG_REQUESTS: flag.default(true),
  /** The least severe log lines written: trace, debug, info, warn, error or fatal. */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { error: 'must be trace, debug, info, warn, error, fatal or silent' }).default('info'),
  /** The bearer token /metrics asks for; without one, /metrics answers only requests from this machine. */
  METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** /readyz reports unready when the database's disk has less free space than this, in megabytes. */
  MIN_FREE_MB: z.coerce.number().min(0).default(200),
  /** The mail server messages go through, such as smtp://user:password@mail.example.org:587; unset, they are written to MAIL_DIR. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, { error: 'must start smtp:// or smtps://, such as smtp://user:password@mail.example.org:587' }).optional(),
  /** Who messages come from. */
  MAIL_FROM: z.string().min(3).default("Citizens' Panel <no-reply@localhost>"),
  /** Without SMTP_URL, where messages are written as .eml files (and shown to the team): by default `<DATABASE>.mail`. */
  MAIL_DIR: z.string().min(1).optional(),
  /** At most this many messages a minute, so a mail server's limits are kept. */
  MAIL_PER_MINUTE: z.coerce.number().int({ error: 'must be a whole number' }).min(1).max(10_000).default(120),
  /** Where the public can get this software, to re-run a published draw. */
  SOURCE_URL: z.url({ error: 'must be a web address, such as https://example.org/citizens-panel' }).optional(),
});

/** The names of every setting, for the README's table and `citizens-panel doctor`. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

type Parsed = z.infer<typeof schema>;
export type Config = Omit<Parsed, 'SEED_DEMO' | 'SECURE_COOKIES'> & { SEED_DEMO: boolean; SECURE_COOKIES: boolean; production: boolean };

/** Reads the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (production && !c.PUBLIC_URL) {
    throw new Error('Invalid configuration:\n  PUBLIC_URL: required when NODE_ENV=production: set it to the address people use, such as PUBLIC_URL=https://panel.example.org');
  }
  const https = c.PUBLIC_URL?.startsWith('https:') ?? false;
  return { ...c, production, SEED_DEMO: c.SEED_DEMO ?? !production, SECURE_COOKIES: c.SECURE_COOKIES ?? https };
}

/** The site's address for links: PUBLIC_URL, else this machine at PORT (development only). No trailing slash. */
export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

/** Where messages go when there is no mail server (SMTP_URL unset). */
export const mailDir = (config: Config): string => config.MAIL_DIR ?? `${config.DATABASE}.mail`;

/** Defaults for tests: nothing logged, nothing seeded unless asked. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), SEED_DEMO: false, LOG_REQUESTS: false, ...overrides };
}
