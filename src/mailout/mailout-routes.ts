import { type Request, type Response, Router } from 'express';
import { REGISTER_HOUSEHOLDS } from '../../fixtures/generate-register';
import { z } from 'zod';
import { audit, auditDownload, auditView } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import { publicUrl } from '../config';
import type { AppContext } from '../context';
import { CsvError, writeCsv } from '../csv';
import { loadPanel } from '../panels/load';
import { closingDay, type Panel } from '../panels/repo';
import { sendCsv } from '../web/download';
import { HttpError, notFound } from '../web/errors';
import { csvUpload, problemsView, uploadedFile } from '../web/upload';
import { formValues, parseForm, parseId } from '../web/validate';
import { formatCode, householdCode } from './codes';
import { waveCommitmentText } from './draw';
import { letterSettings } from './letter-text';
import { type Addressed, registrationLink, writeLetters } from './letters';
import { mailoutPage } from './mailout-view';
import { planForm } from './plan';
import { clearAddressFlag, flaggedAddresses, responses } from './responses';
import { forgetProgress, registerProgress, startRegisterImport } from './register-job';
import { findWave, getMailout, letterOf, letterOrder, lettersPage, saveLetter, saveRegistrationRules, saveSettings, type Wave } from './repo';
import { commitWave, drawWave, lettersKey, remindWave } from './workflow';

const PAGE = 100;
const rulesForm = z.object({
  sender: z.string().default(''),
  help: z.string().default(''),
  householdLimit: z.coerce.number({ error: 'People per household: give a whole number from 1 to 10.' }).int('People per household: give a whole number from 1 to 10.').min(1, 'People per household: at least 1.').max(10, 'People per household: at most 10.'),
  openRegistration: z.enum(['yes', 'no'], { error: 'Choose whether people without a code may register.' }),
});
const demoForm = z.object({ households: z.coerce.number({ error: 'Choose how many households the illustrative register has.' }).int().min(1_000, 'At least 1,000 households.').max(REGISTER_HOUSEHOLDS, `At most ${REGISTER_HOUSEHOLDS.toLocaleString('en-GB')} households.`) });
const commitForm = z.object({ randomness: z.string().trim().min(10, 'Say where the public numbers will come from, and when: for example "the UK Lotto draw of Saturday 16 January 2027".').max(300, 'At most 300 characters.') });
const drawForm = z.object({ numbers: z.string().max(500, 'At most 500 characters.') });

/**
 * Stage one of the lottery (issue 21), for the panel's organisers: the address register, the plan, the waves
 * (committed, drawn with public numbers, reminded), and the letters as PDF and as CSV for a print house. Mounted
 * before the selection's pages; every route is for organisers of the panel's team (app.ts checks the team).
 */
export function mailoutRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const base = '/admin/panels/:id/mailout';
  router.use(base, requireRole('organiser'));

  const render = (res: Response, panel: Panel, extra: Record<string, unknown> = {}, status = 200) => res.status(status).render('pages/admin/mailout', mailoutPage(ctx, panel, extra));
  const back = (res: Response, panel: Panel, anchor = '') => res.redirect(303, `/admin/panels/${panel.id}/mailout${anchor}`);

  router.get(base, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const progress = registerProgress(panel.id);
    // The refresh names the page without its #fragment: Chromium treats a refresh to the same URL with one as a jump
    // within the page, and the page would never update.
    const working = progress?.phase === 'reading' || progress?.phase === 'writing';
    render(res, panel, { progress, refresh: working ? `/admin/panels/${panel.id}/mailout` : undefined, ...(progress?.problems ? { ...problemsView(new CsvError(progress.problems), req), fileName: progress.fileName } : {}) });
  });

  router.post(`${base}/register`, ...csvUpload(), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    startRegisterImport(ctx, panel, uploadedFile(req), req.file?.originalname ?? 'register.csv', currentUser(res).id);
    back(res, panel, '#register');
  });

  router.post(`${base}/register/demo`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(demoForm, req.body);
    if (!form.ok) return render(res, panel, { demoErrors: form.errors }, 400);
    startRegisterImport(ctx, panel, { households: form.data.households }, 'the illustrative Coventry register', currentUser(res).id);
    back(res, panel, '#register');
  });

  router.post(`${base}/register/dismiss`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (registerProgress(panel.id)?.phase !== 'writing' && registerProgress(panel.id)?.phase !== 'reading') forgetProgress(panel.id);
    back(res, panel, '#register');
  });

  router.post(`${base}/plan`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(planForm, req.body);
    if (!form.ok) return render(res, panel, { planErrors: form.errors, planValues: formValues(req.body) }, 400);
    saveSettings(db, panel.id, form.data);
    audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'mailout.plan', detail: { letters: form.data.letters, factor: form.data.factor, deprived: form.data.deprived } });
    back(res, panel, '#plan');
  });

  router.post(`${base}/letter`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const rules = parseForm(rulesForm, req.body);
    const letter = parseForm(letterSettings, req.body);
    if (!rules.ok || !letter.ok) return render(res, panel, { letterErrors: { ...(rules.ok ? {} : rules.errors), ...(letter.ok ? {} : letter.errors) }, letterValues: formValues(req.body) }, 400);
    db.transaction(() => {
      saveRegistrationRules(db, panel.id, { householdLimit: rules.data.householdLimit, openRegistration: rules.data.openRegistration === 'yes' });
      saveLetter(db, panel.id, letter.data);
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'mailout.letter', detail: { householdLimit: rules.data.householdLimit, openRegistration: rules.data.openRegistration } });
    })();
    back(res, panel, '#letter');
  });

  router.post(`${base}/waves`, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(commitForm, req.body);
    if (!form.ok) return render(res, panel, { commitErrors: form.errors, commitValues: formValues(req.body) }, 400);
    const wave = await commitWave(ctx, panel, form.data.randomness, currentUser(res).id);
    back(res, panel, `#wave-${wave.number}`);
  });

  const loadWave = (req: Request, panel: Panel): Wave => {
    const wave = findWave(db, panel.id, parseId(req.params.n, 'That wave'));
    if (!wave) throw notFound('That wave');
    return wave;
  };

  router.post(`${base}/waves/:n/draw`, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const wave = loadWave(req, panel);
    const form = parseForm(drawForm, req.body);
    if (!form.ok) return render(res, panel, { drawErrors: form.errors }, 400);
    await drawWave(ctx, panel, wave.number, form.data.numbers, currentUser(res).id);
    back(res, panel, `#wave-${wave.number}`);
  });

  router.post(`${base}/reminders`, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const wave = await remindWave(ctx, panel, currentUser(res).id);
    back(res, panel, `#wave-${wave.number}`);
  });

  /** The response dashboard: registrations by wave, ward and decile, and the pool against the quotas. */
  router.get(`${base}/responses`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const flagged = flaggedAddresses(db, panel.id);
    auditView(ctx, res, panel.id, 'flagged addresses', flagged.length);
    res.render('pages/admin/mailout-responses', { title: `Responses to the letters: ${panel.title}`, panel, flagged, checked: req.query.checked === '1', ...responses(db, panel.id) });
  });

  router.post(`${base}/responses/flags/:rid/checked`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const publicId = clearAddressFlag(db, panel.id, parseId(req.params.rid, 'That registrant'));
    if (!publicId) throw notFound('A flagged address for that registrant');
    audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'registrant.address-checked', subject: publicId });
    res.redirect(303, `/admin/panels/${panel.id}/mailout/responses?checked=1#flagged`);
  });

  /** The commitment as published: for `citizens-panel invite-draw --plan`. No address in it. */
  router.get(`${base}/waves/:n/commitment.json`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const wave = loadWave(req, panel);
    if (!wave.commitment) throw notFound('A commitment for that wave (a reminder has none)');
    res.type('application/json').attachment(`${panel.slug}-wave-${wave.number}-commitment.json`).send(`${waveCommitmentText(wave.commitment)}\n`);
  });

  /** A drawn wave's letters, a page of households at a time, with their codes (made again from the key). */
  async function* letters(panel: Panel, wave: Wave, only?: string): AsyncGenerator<Addressed[]> {
    const key = lettersKey(ctx);
    const order = letterOrder(db, wave.id);
    for (let i = 0; i < order.length; i += PAGE) {
      const page = lettersPage(db, order.slice(i, i + PAGE)).filter((l) => !only || l.uprn === only);
      yield page.map((l) => ({ ...l, code: householdCode(key, panel.id, l.uprn) }));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  const drawnWave = (req: Request, panel: Panel) => {
    const wave = loadWave(req, panel);
    if (wave.drawnAt === null) throw notFound('Letters for that wave (it is not drawn yet)');
    return wave;
  };
  // Every letter tells people whom to call for help, in each of its languages: not without a number to call.
  const assertPhone = (panel: Panel) => {
    if (!panel.details.contactPhone) {
      throw new HttpError(409, 'The letters tell people what number to call for help or to register by phone, and this panel has none yet. Add a contact phone number (Edit the panel, under Contact), then print the letters.', 'No phone number to print');
    }
  };

  router.get(`${base}/waves/:n/letters.pdf`, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const wave = drawnWave(req, panel);
    assertPhone(panel);
    const mailout = getMailout(db, panel.id);
    const largePrint = req.query.large === '1';
    const only = typeof req.query.uprn === 'string' && /^[0-9]{1,12}$/.test(req.query.uprn) ? req.query.uprn : undefined;
    auditDownload(ctx, res, panel.id, largePrint ? 'letters large print.pdf' : 'letters.pdf', only ? 1 : wave.letters);
    res.type('application/pdf').attachment(`${panel.slug}-wave-${wave.number}-letters${largePrint ? '-large-print' : ''}${only ? `-${only}` : ''}.pdf`);
    await writeLetters(res, {
      panel,
      letter: letterOf(db, panel.id),
      site: publicUrl(ctx.config),
      closes: closingDay(panel),
      householdLimit: mailout.householdLimit,
      largePrint,
      letters: wave.letters,
    }, letters(panel, wave, only));
  });

  router.get(`${base}/waves/:n/letters.csv`, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const wave = drawnWave(req, panel);
    const site = publicUrl(ctx.config);
    const rows: string[][] = [];
    for await (const page of letters(panel, wave)) {
      for (const l of page) rows.push([String(rows.length + 1), l.uprn, 'The Householder', l.line1, l.line2, l.town, l.postcode, formatCode(l.code), registrationLink(site, panel, l.code)]);
    }
    auditDownload(ctx, res, panel.id, 'letters.csv', rows.length);
    sendCsv(res, `${panel.slug}-wave-${wave.number}-letters.csv`, writeCsv(['sequence', 'uprn', 'addressee', 'line1', 'line2', 'town', 'postcode', 'code', 'qr_link'], rows));
  });

  return router;
}
