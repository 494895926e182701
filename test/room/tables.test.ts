import seedrandom from 'seedrandom';
import { assignTables, mixingGap, type Seated } from '../../src/room/tables';

/** A panel of n with the demo's kind of categories, drawn from a seed. */
function panel(n: number, seed: string): Seated[] {
  const random = seedrandom(seed);
  const pick = (values: string[]) => values[Math.floor(random() * values.length)];
  return Array.from({ length: n }, (_, i) => ({
    member: `R-${String(i).padStart(3, '0')}`,
    answers: {
      age: pick(['16-24', '25-34', '35-44', '45-54', '55-64', '65+']),
      gender: pick(['Woman', 'Man']),
      ethnicity: random() < 0.6 ? 'White British' : pick(['White Other', 'Asian or Asian British', 'Black or Black British', 'Mixed or Other']),
      disability: random() < 0.25 ? 'Disabled' : 'Not disabled',
    },
  }));
}

const byMember = (people: Seated[]) => new Map(people.map((p) => [p.member, p]));
const seat = (people: Seated[], tables: string[][]) => tables.map((t) => t.map((m) => byMember(people).get(m) as Seated));

function shuffled(people: Seated[], seed: string, size: number): Seated[][] {
  const random = seedrandom(seed);
  const order = [...people].sort(() => random() - 0.5);
  const count = Math.round(people.length / size);
  return Array.from({ length: count }, (_, t) => order.filter((_, i) => i % count === t));
}

describe('table assignment', () => {
  test('everyone sits at exactly one table, and table sizes differ by at most one', () => {
    const people = panel(40, 'a');
    const tables = assignTables(people, 7, 'seed');
    expect(tables.flat().sort()).toEqual(people.map((p) => p.member).sort());
    const sizes = tables.map((t) => t.length);
    expect(tables).toHaveLength(6);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test('tables are far better mixed than random seating, on every panel tried', () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const people = panel(40, seed);
      const gap = mixingGap(seat(people, assignTables(people, 7, seed)), people);
      const randomGaps = Array.from({ length: 20 }, (_, i) => mixingGap(shuffled(people, `${seed}${i}`, 7), people));
      const typicalRandom = randomGaps.sort((x, y) => x - y)[10];
      expect(gap).toBeLessThan(typicalRandom);
      expect(gap).toBeLessThanOrEqual(1.5); // within about one person of each value's share at every table
    }
  });

  test('the same panel and seed give the same tables', () => {
    const people = panel(40, 'a');
    expect(assignTables(people, 7, 's')).toEqual(assignTables(people, 7, 's'));
    expect(assignTables([], 7, 's')).toEqual([]);
  });
});
