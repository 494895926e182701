import { type Request, type Response, Router } from 'express';
import { audit, auditView } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { registrantMessages } from '../messages/outbox';
import { sessionsOf } from '../outcomes/member-record';
import { oneAtATime } from '../panels/busy';
import { loadPanel } from '../panels/load';
import { listCategories, type Category, type Panel } from '../panels/repo';
import type { RoomRepo } from '../room/repo';
import { selectionPart } from '../selection/registrant-record';
import { findCommitment } from '../selection/repo';
import { notFound } from '../web/errors';
import { type FieldErrors, formValues, parseForm, parseId } from '../web/validate';
import { type Corrected, correctRegistrant } from './correction';
import { correctionSchema, questions } from './registration-form';
import { contactTakenByOther, findRegistrant, type PoolRow, valuesOf } from './repo';
import { activityOf, registrationPart, subjectAccess } from './subject-access';

/**
 * A resident's rights, answered by the panel's organisers (issue 20): a subject access export of everything held
 * about one registrant (a page and a JSON download, each recorded in the audit trail), and a correction of their
 * details with the registration form's own checks. Mounted beside the pool pages; the panel's team only (app.ts).
 */
export function subjectAccessRouter(ctx: AppContext, room: RoomRepo): Router {
  const router = Router();
  const { db, clock } = ctx;
  const base = '/admin/panels/:id/registrants/:rid';

  /** The export for the registrant a request names (erased ones too: what is left of them is held). */
  const gather = (req: Request) => {
    const panel = loadPanel(ctx, req.params.id);
    const registration = registrationPart(db, panel.id, parseId(req.params.rid, 'That registrant'));
    if (!registration) throw notFound('That registrant');
    const { record, categories } = registration;
    const activity = activityOf(db, panel.id, record.publicId);
    const selection = selectionPart(db, panel.id, record, categories, activity);
    const sessions = sessionsOf(db, room, panel.id, record.publicId);
    const messages = registrantMessages(db, record.id);
    return { panel, record, doc: subjectAccess(panel, { registration, activity, selection, sessions, messages }, clock.now()) };
  };
  /** Every look at an export is in the trail, by pseudonym and format: never a name or a contact. */
  const recordAccess = (res: Response, panel: Panel, publicId: string, format: 'page' | 'json') =>
    audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'personal_data.subject_access', subject: publicId, detail: { format } });

  router.get(`${base}/subject-access`, requireRole('organiser'), (req, res) => {
    const { panel, record, doc } = gather(req);
    recordAccess(res, panel, record.publicId, 'page');
    res.render('pages/admin/subject-access', { title: `Subject access: ${record.publicId}`, panel, person: record, doc });
  });

  router.get(`${base}/subject-access.json`, requireRole('organiser'), (req, res) => {
    const { panel, record, doc } = gather(req);
    recordAccess(res, panel, record.publicId, 'json');
    res.type('application/json').attachment(`${panel.slug}-${record.publicId}-subject-access.json`).send(`${JSON.stringify(doc, null, 2)}\n`);
  });

  /** The registrant to correct: erased ones have nothing left to correct. */
  const living = (req: Request) => {
    const panel = loadPanel(ctx, req.params.id);
    const person = findRegistrant(db, panel.id, parseId(req.params.rid, 'That registrant'));
    if (!person) throw notFound('That registrant (they may have been erased)');
    return { panel, person, categories: listCategories(db, panel.id) };
  };
  const formPage = (panel: Panel, person: PoolRow, categories: Category[], values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const commitment = findCommitment(db, panel.id);
    const errors = (extra.errors ?? {}) as FieldErrors;
    // After the commitment, the answers every draw uses are its own copy: shown beside the form, unchanged by it.
    const drawUses = commitment ? selectionPart(db, panel.id, person, categories, []).committedAnswers : null;
    return { title: `Correct ${person.publicId}`, panel, person, values, questions: questions(categories, values, errors), committedAt: commitment?.committedAt ?? null, drawUses, ...extra };
  };
  /** The registration as the form shows it: its fields, and each answer under its field name. */
  const stored = (person: PoolRow, categories: Category[]) => {
    const given = valuesOf(db, [person.id]).get(person.id);
    const answers = Object.fromEntries(categories.map((c) => [`q_${c.key}`, given?.get(c.id) ?? '']));
    return { name: person.name, email: person.email ?? '', phone: person.phone ?? '', address: person.address, postcode: person.postcode, ...answers };
  };

  router.get(`${base}/correct`, requireRole('organiser'), (req, res) => {
    const { panel, person, categories } = living(req);
    const count = typeof req.query.corrected === 'string' && /^\d{1,3}$/.test(req.query.corrected) ? Number(req.query.corrected) : undefined;
    auditView(ctx, res, panel.id, 'registrant', 1, person.publicId);
    res.render('pages/admin/correct', formPage(panel, person, categories, stored(person, categories), { corrected: count, nothingChanged: count === 0 }));
  });

  router.post(`${base}/correct`, requireRole('organiser'), async (req, res) => {
    const { panel, person, categories } = living(req);
    const refuse = (errors: FieldErrors) => res.status(400).render('pages/admin/correct', formPage(panel, person, categories, formValues(req.body), { errors }));
    const form = parseForm(correctionSchema(categories), req.body);
    if (!form.ok) return refuse(form.errors);
    const taken = contactTakenByOther(db, panel.id, person.id, form.data);
    if (taken) {
      const what = taken === 'email' ? 'email address' : 'phone number';
      return refuse({ [taken]: `Another registration for this panel has this ${what}. Each person registers once: check it is the same person, and erase the other registration first if it is.` });
    }
    const record = registrationPart(db, panel.id, person.id)?.record;
    if (!record) throw notFound('That registrant (they may have been erased)');
    // Not while a commitment reads the pool: the correction is either in the committed pool or after it, never half.
    const changed = await oneAtATime(panel.id, 'A correction', async () =>
      correctRegistrant(ctx, panel, record, categories, form.data as Corrected, currentUser(res).id, findCommitment(db, panel.id) !== undefined),
    );
    res.redirect(303, `/admin/panels/${panel.id}/registrants/${person.id}/correct?corrected=${changed.length}`);
  });

  return router;
}

