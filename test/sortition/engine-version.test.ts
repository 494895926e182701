import crypto from 'node:crypto';
import { chooseAlternates } from '../../src/sortition/alternates';
import { draw, ENGINE_VERSION } from '../../src/sortition/draw';
import { DEFAULT_DROPOUT, dropoutChance } from '../../src/sortition/dropout';
import type { Algorithm } from '../../src/sortition/types';
import { syntheticInstance } from '../../bench/synthetic';

jest.setTimeout(60_000);

/**
 * A committed draw is checked by re-running it with the engine version its commitment names. So the same input
 * and seed must give the same panel and chances for as long as ENGINE_VERSION stays the same: any change to how
 * the lottery is built (which panels, their weights, their order), or to how alternates are ranked, must come with
 * a new version. This pins one draw per method per version, and one list of alternates; a change that moves one
 * fails here, saying what to do.
 */
type Pinned = Algorithm | 'alternates';
const PINS: Record<string, Partial<Record<Pinned, string>>> = {
  'citizens-panel-sortition 0.3.0': {
    leximin: 'fcf03a21eb50fbe5c0a23cf3fb1620f102e6ab9d788095c42b45467a5f98cdd7',
    // On this small pool maximin's lottery is LEXIMIN's: the quick route reaches the same one.
    maximin: 'fcf03a21eb50fbe5c0a23cf3fb1620f102e6ab9d788095c42b45467a5f98cdd7',
    nash: 'd88feff32b86d3a5a14db67105bda93c9a50eb5727baf4abb24f8282b1f5f22a',
    legacy: 'c3acbc067f4a3f053a1cac4c97857b86ca3ea81b8c448fe46cc761ae9be2cd64',
    diversimax: 'b948afd869276a3ad087ccde6cdc84cbdbb2ed7f83abf5c14d8d58066aa16f0d',
    alternates: '31714b601f30496e6f697b62e0cb23bb891491b134baf09070f6df82e4aa84d9',
  },
};

const digest = (value: unknown) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');
const { people, quotas } = syntheticInstance({ seed: 'engine-version-pin', size: 150, panelSize: 15 });

async function pinned(what: Pinned): Promise<string> {
  if (what === 'alternates') {
    const panel = (await draw(people, quotas, { panelSize: 15, seed: 'pin' })).selected;
    const a = chooseAlternates({ people, quotas, panel, count: 3, dropout: dropoutChance(DEFAULT_DROPOUT), seed: 'pin' });
    return digest({ list: a.list, keep: a.keep.toFixed(6), naive: a.naive });
  }
  const result = await draw(people, quotas, { panelSize: 15, seed: 'pin', algorithm: what, legacyRuns: 50 });
  return digest({ selected: result.selected, chances: result.probabilities.map((p) => p.probability.toFixed(6)) });
}

test.each(['leximin', 'maximin', 'nash', 'legacy', 'diversimax', 'alternates'] as Pinned[])('%s: the same input and seed give the same result as this engine version always has', async (what) => {
  const found = await pinned(what);
  const pin = PINS[ENGINE_VERSION]?.[what];
  if (pin === undefined) throw new Error(`${ENGINE_VERSION} has no pinned ${what} draw: add ${what}: '${found}' to PINS['${ENGINE_VERSION}'] in this file.`);
  if (pin !== found) {
    throw new Error(`The ${what} result for the same input changed under ${ENGINE_VERSION} (digest ${found}): commitments made before it would no longer re-run to the same panel. Bump ENGINE_VERSION in src/sortition/draw.ts and pin the new digests here.`);
  }
});
