import { audit } from '../audit';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import { keyStore } from '../keys';
import { oneAtATime } from '../panels/busy';
import { listCategories, type Panel } from '../panels/repo';
import { normaliseNumbers, seedFrom } from '../public-numbers';
import { sha256 } from '../tokens';
import { codeLookup, householdCode } from './codes';
import { ADDRESS_DRAW_VERSION, canonicalStrata, drawHouseholds, excludedFingerprint, waveCommitmentText, type WaveCommitment } from './draw';
import { makePlan, observedRates, type Plan, type QuotaTarget } from './plan';
import { drawableHouseholds, findWave, getMailout, insertWave, listStrata, listWaves, type Mailout, recordLetters, responseBy, unanswered, type Wave, writtenUprns } from './repo';

/** The key the letters' codes are made from (keys.ts): kept outside the database, like the receipts key. */
export const lettersKey = (ctx: AppContext): Buffer => keyStore(ctx.db, ctx.config.KEYS_DIR).key('letters');

/** The stage-two quotas, as the plan compares with them, and the key of the ward category if there is one. */
export function quotaTargets(ctx: AppContext, panel: Panel): { quotas: QuotaTarget[]; wardCategory?: string } {
  const categories = listCategories(ctx.db, panel.id);
  const ward = categories.find((c) => c.key.toLowerCase() === 'ward' || c.label.toLowerCase() === 'ward');
  const quotas = categories.flatMap((c) => c.values.map((v) => ({ category: c.key, value: v.value, label: v.label, min: v.quotaMin, max: v.quotaMax, share: v.share })));
  return { quotas, wardCategory: ward?.key };
}

/** Response seen so far, per decile: letters sent and households that registered, over all waves. */
const seenResponse = (ctx: AppContext, panelId: number) =>
  responseBy(ctx.db, panelId, 'decile').map((r) => ({ decile: r.label as number | null, letters: r.lettered, registrations: r.households }));

/** The next fresh wave's plan: over the households no wave has written to yet. */
export function nextPlan(ctx: AppContext, panel: Panel, mailout = getMailout(ctx.db, panel.id)): { plan: Plan; strata: ReturnType<typeof listStrata>; observed: string[] } {
  const strata = listStrata(ctx.db, mailout, true);
  const { observed } = observedRates(seenResponse(ctx, panel.id));
  const { quotas, wardCategory } = quotaTargets(ctx, panel);
  return { plan: makePlan(strata, mailout.settings, quotas, wardCategory), strata, observed };
}

/** Rates from this panel's earlier waves where they have enough letters, for the plan form's defaults. */
export const ratesFromWaves = (ctx: AppContext, panelId: number) => observedRates(seenResponse(ctx, panelId));

const pending = (waves: Wave[]) => waves.find((w) => w.kind === 'fresh' && w.drawnAt === null);

function needRegister(mailout: Mailout): asserts mailout is Mailout & { register: number; registerSha256: string } {
  if (mailout.register === null || !mailout.registerSha256) throw new DomainError('conflict', 'Import an address register first: the letters are drawn from it.');
}

/**
 * Fixes a fresh wave before its public numbers are known: the register's fingerprint, the letters per stratum,
 * the households earlier waves wrote to, and where the numbers will come from. Publish the hash it returns.
 */
export function commitWave(ctx: AppContext, panel: Panel, randomness: string, userId: number | null): Promise<Wave> {
  return oneAtATime(panel.id, 'A commitment of letters', async () => {
    const { db, clock } = ctx;
    const mailout = getMailout(db, panel.id);
    needRegister(mailout);
    const waves = listWaves(db, panel.id);
    if (pending(waves)) throw new DomainError('conflict', `Wave ${pending(waves)!.number} is committed and not yet drawn: draw it (or wait for its numbers) before planning another.`);
    const { plan, strata } = nextPlan(ctx, panel, mailout);
    if (plan.total === 0) throw new DomainError('conflict', 'Every household in the register has had a letter: there is nobody left for a fresh wave. Send a reminder instead.');
    const commitment: WaveCommitment = {
      panel: panel.slug,
      wave: waves.length + 1,
      method: ADDRESS_DRAW_VERSION,
      registerSha256: mailout.registerSha256,
      strata: canonicalStrata(strata.map((s, i) => ({ ward: s.ward, decile: s.decile, letters: plan.letters[i] }))),
      excludedSha256: excludedFingerprint(writtenUprns(db, panel.id)),
      randomness,
    };
    const hash = sha256(waveCommitmentText(commitment));
    db.transaction(() => {
      insertWave(db, { panelId: panel.id, number: commitment.wave, kind: 'fresh', strata: commitment.strata, commitment, commitmentHash: hash, createdAt: clock.now() });
      audit(db, clock, { userId, panelId: panel.id, action: 'mailout.commit', subject: `wave ${commitment.wave}`, detail: { letters: plan.total, hash } });
    })();
    return findWave(db, panel.id, commitment.wave)!;
  });
}

/** Draws a committed wave's households with the public numbers, and records their letters and codes. */
export function drawWave(ctx: AppContext, panel: Panel, number: number, numbersText: string, userId: number | null): Promise<Wave> {
  return oneAtATime(panel.id, 'A draw of letters', async () => {
    const { db, clock } = ctx;
    const wave = findWave(db, panel.id, number);
    if (!wave || wave.kind !== 'fresh' || !wave.commitmentHash) throw new DomainError('not_found', `There is no committed wave ${number} to draw.`);
    if (wave.drawnAt !== null) throw new DomainError('conflict', `Wave ${number} was drawn already, with the numbers ${wave.numbers}.`);
    let numbers: string;
    try {
      numbers = normaliseNumbers(numbersText);
    } catch {
      throw new DomainError('invalid', 'The public numbers must be whole numbers, separated by spaces or commas, such as 7 19 23 31 40 52.');
    }
    if (!numbers) throw new DomainError('invalid', 'Enter the public numbers, once they are drawn, such as 7 19 23 31 40 52.');
    const mailout = getMailout(db, panel.id);
    needRegister(mailout);
    if (mailout.registerSha256 !== wave.commitment!.registerSha256) throw new DomainError('conflict', 'The register in use is not the one this wave committed to.');
    const seed = seedFrom(wave.commitmentHash, numbers);
    const households = drawableHouseholds(db, mailout);
    const ids = new Map(households.map((h) => [h.uprn, h.id]));
    const chosen = drawHouseholds(households, wave.strata, new Set(writtenUprns(db, panel.id)), seed);
    const key = lettersKey(ctx);
    const letters = chosen.map((uprn) => ({ id: ids.get(uprn)!, lookup: codeLookup(key, householdCode(key, panel.id, uprn)) }));
    db.transaction(() => {
      recordLetters(db, wave, letters, { numbers, seed, at: clock.now() });
      audit(db, clock, { userId, panelId: panel.id, action: 'mailout.draw', subject: `wave ${number}`, detail: { letters: letters.length, numbers } });
    })();
    return findWave(db, panel.id, number)!;
  });
}

/** A reminder wave: a second letter, with the same code, to every household written to that has not registered. */
export function remindWave(ctx: AppContext, panel: Panel, userId: number | null): Promise<Wave> {
  return oneAtATime(panel.id, 'A reminder', async () => {
    const { db, clock } = ctx;
    const waves = listWaves(db, panel.id);
    if (!waves.some((w) => w.drawnAt !== null)) throw new DomainError('conflict', 'No letters have been drawn yet, so there is nobody to remind.');
    if (pending(waves)) throw new DomainError('conflict', `Wave ${pending(waves)!.number} is committed and not yet drawn: draw it first.`);
    const households = unanswered(db, panel.id);
    if (!households.length) throw new DomainError('conflict', 'Every household written to has registered someone: there is nobody to remind.');
    const key = lettersKey(ctx);
    const number = waves.length + 1;
    db.transaction(() => {
      insertWave(db, { panelId: panel.id, number, kind: 'reminder', strata: [], commitment: null, commitmentHash: null, createdAt: clock.now() });
      const wave = findWave(db, panel.id, number)!;
      recordLetters(db, wave, households.map((h) => ({ id: h.id, lookup: codeLookup(key, householdCode(key, panel.id, h.uprn)) })), { numbers: null, seed: null, at: clock.now() });
      audit(db, clock, { userId, panelId: panel.id, action: 'mailout.remind', subject: `wave ${number}`, detail: { letters: households.length } });
    })();
    return findWave(db, panel.id, number)!;
  });
}
