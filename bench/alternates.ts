import os from 'node:os';
import { chooseAlternates } from '../src/sortition/alternates';
import { draw } from '../src/sortition/draw';
import { dropoutChance, type DropoutTable } from '../src/sortition/dropout';
import { figure } from './child';
import { syntheticInstance } from './synthetic';

/**
 * npm run bench:alternates: on the synthetic pool the shape of the paper's largest (1,727 people, 110 seats), a
 * LEXIMIN panel, then ranked alternates of 10% and 20% of the panel for a flat 10% dropout and for one skewed by age
 * and education. Prints, for each, the simulated chance that every quota holds after replacement from the list
 * (and with every seat filled too) beside a naive list's (people in a random order, the same rule), and the time.
 */
const TABLES: [string, DropoutTable][] = [
  ['flat 10%', { base: 0.1, rates: [] }],
  ['skewed (youngest 20%, least educated 15%)', { base: 0.1, rates: [{ category: 'age', value: 'age-0', rate: 0.2 }, { category: 'education', value: 'education-0', rate: 0.15 }] }],
];

async function main(): Promise<void> {
  const { people, quotas, panelSize } = syntheticInstance();
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log('drawing the LEXIMIN panel (110 of 1,727)…');
  const panel = (await draw(people, quotas, { panelSize, algorithm: 'leximin', seed: 'bench-alternates' })).selected;
  console.log(['dropout', 'alternates', 'expected dropouts', 'quotas kept: list', 'naive', 'and seats filled: list', 'naive', 'seconds'].join(' | '));
  for (const [name, table] of TABLES) {
    for (const count of [11, 22]) {
      const start = process.hrtime.bigint();
      const a = chooseAlternates({ people, quotas, panel, count, dropout: dropoutChance(table), seed: 'bench-alternates' });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      console.log([name, count, a.expectedDropouts.toFixed(1), pct(a.keep), pct(a.naiveKeep), pct(a.full), pct(a.naiveFull), seconds.toFixed(2)].join(' | '));
      figure('alternates', `${name}, ${count} alternates: quotas kept, list`, a.keep * 100, '%', 1);
      figure('alternates', `${name}, ${count} alternates: quotas kept, naive list`, a.naiveKeep * 100, '%', 1);
      figure('alternates', `${name}, ${count} alternates: time`, seconds, 's', 2);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
