import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE: z.string().min(1).default('./data/citizens-panel.db'),
  /** The folder of secrets kept apart from the database (src/keys.ts): by default `<DATABASE>.keys` beside it. */
  KEYS_DIR: z.string().min(1).optional(),
  SEED_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Set when the app sits behind TLS: cookies then carry the Secure flag. */
  SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Who must sign in with a TOTP app as well as a password: nobody (each person may choose to), administrators, or organisers and administrators. */
  REQUIRE_TWO_FACTOR: z.enum(['none', 'admins', 'organisers'], { error: 'must be none, admins or organisers' }).default('none'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LOG_REQUESTS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Where the public can get this software, to re-run a published draw. */
  SOURCE_URL: z.url({ error: 'must be a web address, such as https://example.org/citizens-panel' }).optional(),
});

export type Config = z.infer<typeof schema>;

/** Reads the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** Defaults for tests: nothing logged, nothing seeded unless asked. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), SEED_DEMO: false, LOG_REQUESTS: false, ...overrides };
}
