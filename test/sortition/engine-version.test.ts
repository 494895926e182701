import crypto from 'node:crypto';
import { draw, ENGINE_VERSION } from '../../src/sortition/draw';
import { syntheticInstance } from '../../bench/synthetic';

/**
 * A committed draw is checked by re-running it with the engine version its commitment names. So the same input
 * and seed must give the same panel and chances for as long as ENGINE_VERSION stays the same: any change to how
 * the lottery is built (which panels, their weights, their order) must come with a new version. This pins one
 * draw per version; a change that moves it fails here, saying what to do.
 */
const PINS: Record<string, string> = {
  'citizens-panel-sortition 0.3.0': 'fcf03a21eb50fbe5c0a23cf3fb1620f102e6ab9d788095c42b45467a5f98cdd7',
};

test('the same input and seed give the same panel and chances as this engine version always has', async () => {
  const { people, quotas } = syntheticInstance({ seed: 'engine-version-pin', size: 150, panelSize: 15 });
  const result = await draw(people, quotas, { panelSize: 15, seed: 'pin' });
  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify({ selected: result.selected, chances: result.probabilities.map((p) => p.probability.toFixed(6)) }))
    .digest('hex');
  const pinned = PINS[ENGINE_VERSION];
  if (pinned === undefined) throw new Error(`${ENGINE_VERSION} has no pinned draw: add '${ENGINE_VERSION}': '${digest}' to PINS in this file.`);
  if (pinned !== digest) {
    throw new Error(`The lottery for the same input changed under ${ENGINE_VERSION} (digest ${digest}): commitments made before it would no longer re-run to the same panel. Bump ENGINE_VERSION in src/sortition/draw.ts and pin the new digest here.`);
  }
});
