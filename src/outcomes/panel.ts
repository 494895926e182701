import type { Db } from '../db';
import { type Category, listCategories, type Panel } from '../panels/repo';
import type { RoomRepo, Session } from '../room/repo';
import { confirmedMakeup } from '../membership/members';
import { commitmentHead, findCommitment, findDraw, replacementsDone } from '../selection/repo';
import { percent } from '../voting/words';
import { combineSmall, eitherOf, publicRecord } from './small-groups';
import type { Summaries, Version } from './summaries';
import type { GroupLabel } from './view';
import { wordsIn, type Words } from './words';

/** A panel's published story: its sessions with a published summary, each at its latest version. */
export function publishedSessions(room: RoomRepo, summaries: Summaries, panelId: number): { session: Session; versions: readonly Version[]; latest: Version }[] {
  return room.ofPanel(panelId).flatMap((session) => {
    // Versions published before small groups were combined are shown with them combined too.
    const versions = summaries.versions(session.id).map((v) => ({ ...v, content: { ...v.content, record: publicRecord(v.content.record) } }));
    return versions.length ? [{ session, versions, latest: versions[versions.length - 1] }] : [];
  });
}

/**
 * Who is on the panel against the targets, per category: the members (those who confirmed their place), their
 * share, the census share the quotas were set from, and the quota band. Counts only, in the page's words: give
 * the categories as the page shows them (panels/localise.ts) and the words it shows translated, so a combined
 * group whose answers are all translated is too.
 */
export function panelMakeup(db: Db, panelId: number, words: Words = wordsIn('en'), categories: Category[] = listCategories(db, panelId), translated = new Set<string>()) {
  const { members: seated, byValue: counts } = confirmedMakeup(db, panelId);
  const { number, percent: share } = words;
  const list = categories.map((c) => {
    const totalShare = c.values.reduce((sum, v) => sum + (v.share ?? 0), 0);
    const values = c.values.map((v) => ({ label: v.label, members: counts.get(v.id) ?? 0, census: totalShare && v.share !== null ? (100 * v.share) / totalShare : null, min: v.quotaMin, max: v.quotaMax }));
    // Values held by 1 to 4 members are shown combined, with their census shares and quotas added up.
    const combined = combineSmall(values, (rows) => {
      const label = words.either(rows.map((r) => r.label));
      if (rows.every((r) => translated.has(r.label))) translated.add(label);
      return {
        label,
        members: rows.reduce((sum, r) => sum + r.members, 0),
        census: rows.some((r) => r.census === null) ? null : rows.reduce((sum, r) => sum + (r.census ?? 0), 0),
        min: rows.some((r) => r.min === null) ? null : rows.reduce((sum, r) => sum + (r.min ?? 0), 0),
        max: rows.some((r) => r.max === null) ? null : rows.reduce((sum, r) => sum + (r.max ?? 0), 0),
      };
    });
    const rows = combined.map(({ label, members: n, census, min, max }) => {
      const within = min === null || max === null || (n >= min && n <= max);
      return { label, count: n, percent: percent(n, Math.max(1, seated)), census: census === null ? null : Math.round(census * 10) / 10, min, max, within };
    });
    // Bars on one scale per category: the panel's share filled, the census share as a mark.
    const top = Math.max(1, ...rows.map((r) => Math.max(r.percent, r.census ?? 0)));
    return {
      label: c.label,
      rows: rows.map((r) => ({
        label: r.label,
        within: r.within,
        count: number(r.count),
        share: share(r.percent / 100),
        census: r.census === null ? null : share(r.census / 100),
        quota: r.max ? words.t('outcomes.panel.range', { min: r.min ?? 0, max: r.max }) : null,
        bar: Math.round((r.percent / top) * 1000) / 10,
        mark: r.census === null ? null : Math.round((r.census / top) * 1000) / 10,
      })),
    };
  });
  return { seated, categories: list };
}

/**
 * The groups of a published record named in the page's language: each answer the organiser has translated (while
 * its English is still the one recorded), and a combined group ("A, B or C") when all of its answers are. The
 * names used are added to `translated`, for the `own` helper.
 */
export function groupLabels(english: Category[], local: Category[], words: Words, translated: Set<string>): GroupLabel {
  const names = new Map<string, { english: string; local: string }>();
  english.forEach((c, i) => c.values.forEach((v, j) => {
    const label = local[i]?.values[j]?.label;
    if (label !== undefined && translated.has(label)) names.set(`${c.key}\n${v.value}`, { english: v.label, local: label });
  }));
  return (g) => {
    const found = g.value.split(' | ').map((value) => names.get(`${g.category}\n${value}`));
    if (!found.every((f) => f !== undefined)) return undefined;
    const known = found as { english: string; local: string }[];
    if (eitherOf(known.map((f) => f.english)) !== g.label) return undefined; // its English has changed since
    const label = words.either(known.map((f) => f.local));
    translated.add(label);
    return label;
  };
}

/** The facts of each commitment and its final draw, which never change once drawn, per database. */
const drawnFacts = new WeakMap<Db, Map<string, ReturnType<typeof commitmentFacts>>>();

/**
 * How the panel was chosen, in brief, for the outcome page (the full account is the selection page). The
 * commitment and its draw are read and parsed once per commitment and draw; only the replacements are counted live.
 */
export function selectionFacts(db: Db, panel: Panel, words: Words = wordsIn('en')) {
  const head = commitmentHead(db, panel.id);
  if (!head) return null;
  const key = `${panel.id}:${head.hash}:${head.seed}:${head.drawId}`;
  const kept = drawnFacts.get(db) ?? new Map<string, ReturnType<typeof commitmentFacts>>();
  drawnFacts.set(db, kept);
  let facts = kept.get(key);
  if (!facts) kept.set(key, (facts = commitmentFacts(db, panel)));
  if (!facts) return null;
  const chance = (p: number | null) => (p === null ? null : words.percent(p));
  const replacements = replacementsDone(db, panel.id);
  return { ...facts, committedTime: words.time(facts.committedAt), lowestChance: chance(facts.lowestChance), medianChance: chance(facts.medianChance), replacements, replacementsShown: words.number(replacements) };
}

function commitmentFacts(db: Db, panel: Panel) {
  const commitment = findCommitment(db, panel.id);
  if (!commitment) return null;
  const final = commitment.drawId ? findDraw(db, panel.id, commitment.drawId) : undefined;
  const outcome = final?.outcome;
  const chances = outcome ? [...outcome.chances].sort((a, b) => a - b) : [];
  return {
    algorithm: commitment.algorithm,
    engineVersion: commitment.engineVersion,
    panelSize: commitment.panelSize,
    poolSize: commitment.poolCsv.trim().split('\n').length - 1,
    committedAt: commitment.committedAt,
    hash: commitment.hash,
    randomness: commitment.randomness,
    numbers: commitment.numbers,
    seed: commitment.seed,
    drawnAt: final?.finishedAt ?? null,
    // Shares from 0 to 1, put in words by the page.
    lowestChance: outcome?.minProbability ?? null,
    medianChance: chances[Math.floor(chances.length / 2)] ?? null,
  };
}
