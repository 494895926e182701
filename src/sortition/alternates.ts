import { plainCategories } from './intersections';
import { QuotaKeeper } from './keeper';
import { type Random, rng } from './lottery';
import type { Person, Quota } from './types';

/**
 * Alternates robust to dropout (issue 23, after Assos, Baharav, Flanigan and Procaccia, "Alternates, Assemble!",
 * EC 2025). With the panel drawn, a ranked list of alternates is chosen so that, after the dropouts a dropout
 * table expects and replacement from the list by the keeper's rule (keeper.ts: the first alternate who keeps
 * every quota), the panel is full and meets its quotas as often as possible. The choice is by sample average
 * approximation: dropout scenarios drawn from the seed, the list built a place at a time by the kind of person
 * (their values in the quota categories) who fills the most seats across the scenarios that are still short;
 * who of that kind takes the place is drawn at random. The published figure is simulated afresh, on scenarios
 * the choice never saw, for the list and for a naive one (people in a random order) under the same rule.
 */
export interface AlternatesInput {
  people: Person[];
  quotas: Quota[];
  /** The panel drawn, by id. */
  panel: string[];
  count: number;
  dropout: (p: Person) => number;
  seed: string;
  /** Scenarios the list is chosen on; the published figures use `checks` fresh ones. */
  scenarios?: number;
  checks?: number;
}

export interface Alternates {
  list: string[];
  /** The simulated chance that, after the dropouts and replacement from the list, every quota is met. */
  keep: number;
  /** The same, with every seat filled too. */
  full: number;
  naive: string[];
  naiveKeep: number;
  naiveFull: number;
  /** How many of the panel the table expects to drop out. */
  expectedDropouts: number;
  /** Per person of the pool, in its order: the chance of being on the list, and of being seated from it, given the panel. */
  onList: number[];
  serve: number[];
  checks: number;
}

interface Candidate {
  rows: Int32Array;
  chance: number;
}

interface Kind extends Candidate {
  people: number[];
  eligible: number;
}

export function chooseAlternates(input: AlternatesInput): Alternates {
  const { people, quotas, count, dropout, seed } = input;
  const keeper = new QuotaKeeper(quotas);
  const onPanel = new Set(input.panel);
  const members = people.filter((p) => onPanel.has(p.id)).map((p) => ({ rows: keeper.rowsOf(p), chance: dropout(p) }));
  const taken = new Set(people.filter((p) => onPanel.has(p.id) && p.household).map((p) => p.household as string));
  const eligible = people.map((_, i) => i).filter((i) => !onPanel.has(people[i].id) && !(people[i].household && taken.has(people[i].household as string)));
  const random = rng(`${seed} alternates`);
  const kinds = kindsOf(people, eligible, keeper, dropout, quotas, random);
  const size = Math.min(count, eligible.length);

  const chosen = choose(kinds, members, keeper, size, input.scenarios ?? 400, random, people);
  const naive = randomList(people, eligible, size, random);
  const checked = simulate(members, chosen.map((i) => candidateOf(people[i], keeper, dropout)), keeper, input.checks ?? 2000, rng(`${seed} alternates check`));
  const naiveChecked = simulate(members, naive.map((i) => candidateOf(people[i], keeper, dropout)), keeper, input.checks ?? 2000, rng(`${seed} alternates check`));

  const onList = new Array<number>(people.length).fill(0);
  const serve = new Array<number>(people.length).fill(0);
  const kindOf = new Map<number, Kind>();
  for (const k of kinds) for (const i of k.people) kindOf.set(i, k);
  chosen.forEach((i, rank) => {
    const kind = kindOf.get(i) as Kind;
    for (const j of kind.people) {
      onList[j] += 1 / kind.eligible;
      serve[j] += checked.served[rank] / kind.eligible;
    }
  });
  return {
    list: chosen.map((i) => people[i].id),
    keep: checked.keep,
    full: checked.full,
    naive: naive.map((i) => people[i].id),
    naiveKeep: naiveChecked.keep,
    naiveFull: naiveChecked.full,
    expectedDropouts: members.reduce((sum, m) => sum + m.chance, 0),
    onList,
    serve,
    checks: checked.runs,
  };
}

/** The eligible people grouped by their values in the quota categories, each group in a seeded random order. */
function kindsOf(people: Person[], eligible: number[], keeper: QuotaKeeper, dropout: (p: Person) => number, quotas: Quota[], random: Random): Kind[] {
  const categories = plainCategories(quotas);
  const byKey = new Map<string, Kind>();
  for (const i of eligible) {
    const key = categories.map((c) => people[i].features[c]).join('\u0000');
    let kind = byKey.get(key);
    if (!kind) byKey.set(key, (kind = { ...candidateOf(people[i], keeper, dropout), people: [], eligible: 0 }));
    kind.people.push(i);
  }
  const kinds = [...byKey.values()];
  for (const k of kinds) {
    k.eligible = k.people.length;
    for (let i = k.people.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [k.people[i], k.people[j]] = [k.people[j], k.people[i]];
    }
  }
  return kinds;
}

function candidateOf(p: Person, keeper: QuotaKeeper, dropout: (p: Person) => number): Candidate {
  return { rows: keeper.rowsOf(p), chance: dropout(p) };
}

/** One dropout scenario: the seated members' counts, the empty seats, and which places of the list were asked. */
interface Scenario {
  counts: Int32Array;
  vacancies: number;
  asked: boolean[];
  /** Per place of the list: the draw that says whether its alternate says yes (yes when at or above their chance). */
  answers: Float64Array;
}

function scenario(members: Candidate[], keeper: QuotaKeeper, places: number, random: Random): Scenario {
  const staying = members.filter((m) => random() >= m.chance);
  const answers = new Float64Array(places);
  for (let r = 0; r < places; r++) answers[r] = random();
  return { counts: keeper.counts(staying.map((m) => m.rows)), vacancies: members.length - staying.length, asked: new Array(places).fill(false), answers };
}

/**
 * The keeper's rule in one scenario, as the organiser applies it (selection/alternates.ts): the empty seats are
 * offered at once, each in turn to the first alternate not yet asked who keeps every quota with the members
 * staying and the alternates just asked; those who say no leave their seats empty again, and the round repeats
 * until every seat is filled or nobody left on the list can take one. (It takes every dropout as known when the
 * seats are offered; offered as each dropout comes, the rule can be stricter.)
 */
function replace(s: Scenario, list: Candidate[], keeper: QuotaKeeper, served?: number[]): void {
  while (s.vacancies > 0) {
    const offered: number[] = [];
    const counts = Int32Array.from(s.counts);
    let seats = s.vacancies;
    for (let r = 0; r < list.length && seats > 0; r++) {
      if (s.asked[r] || !keeper.keeps(list[r].rows, counts, seats)) continue;
      offered.push(r);
      for (const q of list[r].rows) counts[q]++;
      seats--;
    }
    if (offered.length === 0) return;
    for (const r of offered) {
      s.asked[r] = true;
      if (s.answers[r] < list[r].chance) continue;
      for (const q of list[r].rows) s.counts[q]++;
      s.vacancies--;
      if (served) served[r]++;
    }
  }
}

/** The list, a place at a time: the kind of person who brings the most scenarios back within every quota, then fills the most seats. */
function choose(kinds: Kind[], members: Candidate[], keeper: QuotaKeeper, size: number, runs: number, random: Random, people: Person[]): number[] {
  const scenarios = Array.from({ length: runs }, () => scenario(members, keeper, size, random));
  // When no kind fills a seat in any scenario still short, the kind most often able to take a first empty seat.
  const useful = kinds.map((k) => scenarios.filter((s) => s.vacancies > 0 && keeper.keeps(k.rows, s.counts, s.vacancies)).length);
  const list: Candidate[] = [];
  const picked: number[] = [];
  const households = new Set<string>();
  const next = new Map<Kind, number>(kinds.map((k) => [k, 0]));
  const personOf = (k: Kind): number | undefined => {
    let at = next.get(k) as number;
    while (at < k.people.length && households.has(people[k.people[at]].household ?? '')) at++;
    next.set(k, at);
    return k.people[at];
  };
  for (let place = 0; place < size; place++) {
    let best: Kind | undefined;
    let bestScore = -1;
    kinds.forEach((k, index) => {
      if (personOf(k) === undefined) return;
      let score = 0;
      for (const s of scenarios) {
        if (s.vacancies === 0 || s.answers[place] < k.chance || !keeper.keeps(k.rows, s.counts, s.vacancies)) continue;
        score += 1 + (!keeper.met(s.counts) && keeper.metWith(k.rows, s.counts) ? runs + 1 : 0);
      }
      score = score * (runs + 1) + useful[index];
      if (score > bestScore) [best, bestScore] = [k, score];
    });
    if (!best) break;
    const person = personOf(best) as number;
    next.set(best, (next.get(best) as number) + 1);
    if (people[person].household) households.add(people[person].household as string);
    picked.push(person);
    list.push(best);
    for (const s of scenarios) replace(s, list, keeper);
  }
  return picked;
}

/** A naive list: eligible people in a seeded random order, no two from one household. */
function randomList(people: Person[], eligible: number[], size: number, random: Random): number[] {
  const order = eligible.slice();
  const list: number[] = [];
  const households = new Set<string>();
  for (let i = 0; i < order.length && list.length < size; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j], order[i]];
    const household = people[order[i]].household;
    if (household && households.has(household)) continue;
    if (household) households.add(household);
    list.push(order[i]);
  }
  return list;
}

/** The chances, over `runs` fresh scenarios, that the quotas are met after replacement from the list (and every seat filled); how often each place is seated. */
export function simulate(members: Candidate[], list: Candidate[], keeper: QuotaKeeper, runs: number, random: Random): { keep: number; full: number; served: number[]; runs: number } {
  const served = new Array<number>(list.length).fill(0);
  let kept = 0;
  let full = 0;
  for (let run = 0; run < runs; run++) {
    const s = scenario(members, keeper, list.length, random);
    replace(s, list, keeper, served);
    if (!keeper.met(s.counts)) continue;
    kept++;
    if (s.vacancies === 0) full++;
  }
  return { keep: kept / runs, full: full / runs, served: served.map((n) => n / runs), runs };
}
