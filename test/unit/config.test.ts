import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';

describe('configuration from the environment', () => {
  test('defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.SEED_DEMO).toBe(true);
    expect(config.SOURCE_URL).toBeUndefined();
  });

  test('a bad value stops start-up with a message naming the variable', () => {
    expect(() => loadConfig({ SOURCE_URL: 'our git server' })).toThrow(/SOURCE_URL: must be a web address/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(loadConfig({ SOURCE_URL: 'https://example.org/citizens-panel' }).SOURCE_URL).toBe('https://example.org/citizens-panel');
  });

  test('the README documents every setting the server reads, and no setting it does not', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Security and privacy'));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
