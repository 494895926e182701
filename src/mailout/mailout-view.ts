import { publicUrl } from '../config';
import type { AppContext } from '../context';
import type { Panel } from '../panels/repo';
import { waveCommitmentText } from './draw';
import { type Expectation, RATE_FIELDS } from './plan';
import { getMailout, letterOf, listWaves } from './repo';
import { nextPlan } from './workflow';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** A row of the plan's tables, with a bar: expected registrations against the quota's minimum, on one scale. */
function rows(list: Expectation[], scale: number) {
  const at = (n: number) => Math.round((n / scale) * 1000) / 10;
  return list.map((e) => ({
    ...e,
    expectedText: e.expected.toFixed(e.expected < 10 ? 1 : 0),
    shortfallText: e.shortfall === null ? '' : pct(e.shortfall),
    bar: at(e.expected),
    mark: e.min ? at(e.min) : null,
  }));
}

/** Everything the mail-out page shows: the register, the plan, its settings, and the waves with their state. */
export function mailoutPage(ctx: AppContext, panel: Panel, extra: Record<string, unknown>) {
  const mailout = getMailout(ctx.db, panel.id);
  const waves = listWaves(ctx.db, panel.id);
  const { plan, observed } = nextPlan(ctx, panel, mailout);
  const scale = Math.max(1, ...[...plan.byWard, ...plan.byQuota].map((e) => Math.max(e.expected, e.min ?? 0)));
  const settings = mailout.settings;
  const letter = letterOf(ctx.db, panel.id);
  return {
    title: `Letters to households: ${panel.title}`,
    panel,
    mailout,
    site: publicUrl(ctx.config),
    hasRegister: mailout.register !== null,
    registerFixed: waves.length > 0,
    plan: { ...plan, expectedText: Math.round(plan.expected).toLocaleString('en-GB'), byWard: rows(plan.byWard, scale), byDecile: rows(plan.byDecile, scale), byQuota: rows(plan.byQuota, scale) },
    planValues: {
      letters: settings.letters,
      factor: settings.factor,
      deprived: settings.deprived,
      ...Object.fromEntries(Object.entries(settings.rates).map(([d, r]) => [`rate_${d}`, r])),
    },
    rates: RATE_FIELDS.map((d) => ({ field: `rate_${d}`, label: d === 'none' ? 'No decile given' : `Decile ${d}${d === '1' ? ' (most deprived)' : d === '10' ? ' (least deprived)' : ''}`, observed: observed.includes(d) })),
    letterValues: { sender: letter.sender, help: letter.help, householdLimit: mailout.householdLimit, openRegistration: mailout.openRegistration ? 'yes' : 'no' },
    waves: waves.map((w) => ({
      ...w,
      pending: w.kind === 'fresh' && w.drawnAt === null,
      commitmentText: w.commitment && waveCommitmentText(w.commitment),
    })),
    // What the letter would lack: it tells households when, what is offered, and whom to call.
    missingDetails: [
      !panel.details.dates && 'the dates',
      !panel.details.expenses && 'what is paid and covered',
      !panel.details.access && 'care and access support',
      !panel.details.contactPhone && 'a phone number to call',
    ].filter(Boolean),
    canCommit: mailout.register !== null && !waves.some((w) => w.kind === 'fresh' && w.drawnAt === null),
    canRemind: waves.some((w) => w.drawnAt !== null) && !waves.some((w) => w.kind === 'fresh' && w.drawnAt === null),
    ...extra,
  };
}
