import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { loadPanel } from '../panels/load';
import type { Revocations } from '../revocations';
import { notFound } from '../web/errors';
import { formValues, parseForm, parseId } from '../web/validate';
import { currentUser, requireAdmin, requireRole } from './middleware';
import { LINK_MINUTES } from './password-links';
import { emailSetupLink } from './password-messages';
import { generatePassword } from './passwords';
import { addToTeam, removeFromTeam, teamOf, teamTitlesByUser } from './teams';
import { endSessionsOf } from './sessions';
import { TwoFactor } from './two-factor';
import { createUser, findUser, findUserByEmail, listUsers, newUserSchema, setPassword } from './users';

const accountForm = z.object({
  email: newUserSchema.shape.email,
  name: newUserSchema.shape.name,
  role: newUserSchema.shape.role,
  admin: z.literal('on').optional(),
});
const memberForm = z.object({ email: newUserSchema.shape.email });

/**
 * People and teams (issue 17): administrators create accounts (the person is emailed a link to choose their
 * password, issue 22) and put people on panels' teams, or take them off (their room sockets for that panel close
 * at once). A panel's team can see who is on it.
 */
export function peopleRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;

  const peoplePage = (extra: Record<string, unknown> = {}) => {
    const teams = teamTitlesByUser(db);
    return { title: 'People and teams', people: listUsers(db).map((u) => ({ ...u, panels: teams.get(u.id) ?? [] })), ...extra };
  };

  router.use('/admin/people', requireAdmin);
  router.get('/admin/people', (_req, res) => res.render('pages/admin/people', peoplePage()));
  router.post('/admin/people', (req, res) => {
    const form = parseForm(accountForm, req.body);
    const again = (errors: Record<string, string>) => res.status(400).render('pages/admin/people', peoplePage({ values: formValues(req.body), errors }));
    if (!form.ok) return again(form.errors);
    if (findUserByEmail(db, form.data.email)) return again({ email: `An account for ${form.data.email} already exists.` });
    const by = currentUser(res);
    const user = db.transaction(() => {
      // A password nobody knows, until they choose their own with the link emailed to them.
      const made = createUser(db, clock, { ...form.data, admin: form.data.admin === 'on', password: generatePassword() });
      audit(db, clock, { userId: by.id, action: 'user.create', subject: `${made.role}${made.admin ? ' (administrator)' : ''}` });
      emailSetupLink(ctx, made, by);
      return made;
    })();
    res.status(201).render('pages/admin/people', peoplePage({ created: user, setupDays: LINK_MINUTES.setup / 1440 }));
  });

  // A forgotten or leaked password: a new one, shown once, which must be changed at the next sign-in; every
  // session of theirs ends now, with its room sockets.
  router.post('/admin/people/:id/reset', (req, res) => {
    const person = findUser(db, parseId(req.params.id, 'That person'));
    if (!person) throw notFound('That person');
    const password = generatePassword();
    const ended = db.transaction(() => {
      setPassword(db, person.id, password, true);
      audit(db, clock, { userId: currentUser(res).id, action: 'password.reset', subject: String(person.id) });
      return endSessionsOf(db, person.id, { allBut: undefined });
    })();
    for (const hash of ended) revocations.loginHash(hash);
    res.render('pages/admin/people', peoplePage({ reset: { ...person, password } }));
  });

  // A lost phone: two-factor off (secret and recovery codes gone) and every session ended; the person sets it up
  // again at their next sign-in (at once, where the installation requires it).
  router.post('/admin/people/:id/two-factor/reset', (req, res) => {
    const person = findUser(db, parseId(req.params.id, 'That person'));
    if (!person) throw notFound('That person');
    const ended = db.transaction(() => {
      new TwoFactor(ctx).disable(person.id);
      audit(db, clock, { userId: currentUser(res).id, action: 'two-factor.reset', subject: String(person.id) });
      return endSessionsOf(db, person.id, { allBut: undefined });
    })();
    for (const hash of ended) revocations.loginHash(hash);
    res.render('pages/admin/people', peoplePage({ twoFactorReset: person }));
  });

  const teamPage = (rawId: unknown, admin: boolean, extra: Record<string, unknown> = {}) => {
    const panel = loadPanel(ctx, rawId);
    return { title: `Team: ${panel.title}`, panel, team: teamOf(db, panel.id), admin, ...extra };
  };

  router.get('/admin/panels/:id/team', requireRole('organiser', 'facilitator'), (req, res) => {
    res.render('pages/admin/team', teamPage(req.params.id, currentUser(res).admin));
  });
  router.post('/admin/panels/:id/team', requireAdmin, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(memberForm, req.body);
    const again = (errors: Record<string, string>) => res.status(400).render('pages/admin/team', teamPage(req.params.id, true, { values: formValues(req.body), errors }));
    if (!form.ok) return again(form.errors);
    const person = findUserByEmail(db, form.data.email);
    if (!person) return again({ email: `There is no account for ${form.data.email}. Create it on People and teams first.` });
    db.transaction(() => {
      if (addToTeam(db, panel.id, person.id, clock.now())) audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'team.add', subject: String(person.id) });
    })();
    res.redirect(303, `/admin/panels/${panel.id}/team`);
  });
  router.post('/admin/panels/:id/team/:user/remove', requireAdmin, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const userId = parseId(req.params.user, 'That person');
    db.transaction(() => {
      if (removeFromTeam(db, panel.id, userId)) audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'team.remove', subject: String(userId) });
    })();
    revocations.team(panel.id, userId);
    res.redirect(303, `/admin/panels/${panel.id}/team`);
  });
  return router;
}
