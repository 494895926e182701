import { logIn, makeApp, seatMembers, smallPanel, snapshot, submit, type Agent } from '../helpers';
import { listAudit } from '../../src/audit';
import { createUser } from '../../src/auth/users';
import { addToTeam } from '../../src/auth/teams';
import { findPanel, insertPanel, listCategories } from '../../src/panels/repo';
import { computeQuotas } from '../../src/panels/quotas';
import { insertRegistrant } from '../../src/registration/repo';
import { findCommitment } from '../../src/selection/repo';
import { createSession } from '../../src/room/create';
import { parseAgenda } from '../../src/room/agenda';
import { fixturesDir } from '../../src/paths';
import fs from 'node:fs';
import path from 'node:path';

jest.setTimeout(60_000);

/** An audit entry with its detail read. */
const parsed = <T extends { detail: string }>(entry: T | undefined) => entry && { ...entry, detail: JSON.parse(entry.detail) as unknown };

/**
 * A resident's rights (issue 20, UK GDPR articles 15 and 16): an organiser of the panel can give a registrant
 * everything held about them, as a page and as JSON, and put their details right; each is in the audit trail by
 * pseudonym, and after the commitment a correction leaves the draw's inputs as committed.
 */
function setUp() {
  const t = makeApp();
  const { panelId } = smallPanel(t.db, t.clock);
  const [gender, age] = listCategories(t.db, panelId);
  const people = Array.from({ length: 30 }, (_, i) => ({
    publicId: insertRegistrant(
      t.db,
      panelId,
      {
        name: `Resident Number${i}`,
        email: `resident${i}@example.org`,
        phone: i === 0 ? '07700 900123' : undefined,
        address: `${i + 1} Spon Street`,
        postcode: 'CV1 3BA',
        valueIds: [gender.values[i % 2].id, age.values[i % 3].id],
        source: 'form',
        consentAt: t.clock.now(),
      },
      t.clock.now(),
    ),
    id: i + 1,
  }));
  const ids = new Map(people.map((p) => [p.publicId, p.id]));
  const idOf = (publicId: string) => Number(t.db.prepare('SELECT id FROM registrants WHERE public_id = ?').pluck().get(publicId));
  return { ...t, panelId, people, ids, idOf, base: `/admin/panels/${panelId}` };
}

describe('subject access', () => {
  const t = setUp();
  let organiser: Agent;
  const first = () => t.people[0];
  const url = () => `${t.base}/registrants/${t.idOf(first().publicId)}/subject-access`;

  beforeAll(async () => {
    organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    seatMembers(t.db, t.panelId, [first().publicId], t.clock.now());
    const panel = findPanel(t.db, t.panelId);
    if (!panel) throw new Error('no panel');
    createSession(t.db, t.clock, t.room, panel, parseAgenda(fs.readFileSync(path.join(fixturesDir, 'cultural-strategy-agenda.json'), 'utf8')), null);
  });

  test('the page shows their details, answers, place on the panel and sessions, and is recorded by pseudonym', async () => {
    const res = await organiser.get(url());
    expect(res.status).toBe(200);
    for (const text of ['Resident Number0', 'resident0@example.org', '07700 900123', '1 Spon Street', 'CV1 3BA', 'Your gender?', 'Confirmed their place on the panel', 'On the session’s member list'])
      expect(res.text).toContain(text);
    const [entry] = listAudit(t.db, t.panelId, 5).filter((a) => a.action === 'personal_data.subject_access').map(parsed);
    expect(entry).toMatchObject({ subject: first().publicId, detail: { format: 'page' } });
    expect(JSON.stringify(listAudit(t.db, t.panelId, 50))).not.toContain('Resident Number0');
  });

  test('the JSON download holds the same, names its file by pseudonym, and holds no one else', async () => {
    const res = await organiser.get(`${url()}.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain(`test-panel-${first().publicId}-subject-access.json`);
    const doc = JSON.parse(res.text);
    expect(doc.registration).toMatchObject({ pseudonym: first().publicId, name: 'Resident Number0', email: 'resident0@example.org', address: '1 Spon Street', erased: null });
    expect(doc.registration.answers).toEqual([
      { category: 'Gender', question: 'Your gender?', answer: 'Woman' },
      { category: 'Age band', question: 'Your age band?', answer: '16-39' },
    ]);
    expect(doc.panelStatus).toMatchObject({ status: 'confirmed' });
    expect(doc.sessions).toHaveLength(1);
    expect(doc.sessions[0]).toMatchObject({ onMemberList: true, attendance: null, votes: [] });
    for (const other of t.people.slice(1)) expect(res.text).not.toContain(other.publicId);
    expect(res.text).not.toContain('Resident Number1');
    expect(parsed(listAudit(t.db, t.panelId, 5).find((a) => a.action === 'personal_data.subject_access'))).toMatchObject({ detail: { format: 'json' } });
  });

  test('a facilitator on the team, an organiser of another panel and the public cannot see it', async () => {
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    expect((await facilitator.get(url())).status).toBe(403);
    expect((await facilitator.get(`${url()}.json`)).status).toBe(403);
    const other = insertPanel(t.db, { slug: 'other', title: 'Other', question: '?', panelSize: 10, closesAt: t.clock.now() + 86_400_000, quotaTolerance: 1 }, t.clock.now());
    const stranger = createUser(t.db, t.clock, { email: 'stranger@example.org', name: 'Stranger', role: 'organiser', admin: false, password: 'correct horse battery staple' });
    addToTeam(t.db, other, stranger.id, t.clock.now());
    const outsider = await logIn(t.db, t.clock, t.agent(), 'organiser', 'stranger@example.org');
    expect((await outsider.get(url())).status).toBe(403);
    expect((await outsider.get(`/admin/panels/${other}/registrants/${t.idOf(first().publicId)}/subject-access.json`)).status).toBe(404);
    const anonymous = await t.agent().get(`${url()}.json`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    expect(anonymous.text).not.toContain('Resident Number0');
  });

  test('an unknown registrant, or one of another panel, is a 404 in words', async () => {
    const res = await organiser.get(`${t.base}/registrants/9999/subject-access`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('That registrant');
    expect((await organiser.get(`${t.base}/registrants/abc/subject-access.json`)).status).toBe(404);
  });

  test('after erasure the export says what went and what stayed, and holds none of what went', async () => {
    const id = t.idOf(t.people[5].publicId);
    expect((await submit(organiser, `${t.base}/registrants/${id}/erase`, `${t.base}/registrants/${id}/erase`, {})).status).toBe(303);
    const res = await organiser.get(`${t.base}/registrants/${id}/subject-access.json`);
    const doc = JSON.parse(res.text);
    expect(doc.registration).toMatchObject({ pseudonym: t.people[5].publicId, name: null, email: null, address: null, answers: [] });
    expect(doc.erasure.deleted).toContain('email address');
    expect(res.text).not.toContain('Resident Number5');
    expect(doc.activity.map((a: { action: string }) => a.action)).toContain('registrant.erase');
    expect((await organiser.get(`${t.base}/registrants/${id}/correct`)).status).toBe(404);
  });
});

describe('correction', () => {
  const t = setUp();
  let organiser: Agent;
  const who = () => t.people[2];
  const url = () => `${t.base}/registrants/${t.idOf(who().publicId)}/correct`;
  const fields = (over: Record<string, string> = {}) => ({ name: 'Resident Number2', email: 'resident2@example.org', phone: '', address: '3 Spon Street', postcode: 'CV1 3BA', q_gender: 'Woman', q_age: '65+', ...over });

  beforeAll(async () => {
    organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  });

  test('the form shows their details; saving nothing new changes nothing', async () => {
    const page = await organiser.get(url());
    expect(page.text).toContain('value="3 Spon Street"');
    const before = snapshot(t.db);
    const res = await submit(organiser, url(), url(), fields());
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('corrected=0');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('bad input is refused in words and changes nothing: a bad email, an answer not offered, another registration’s email', async () => {
    const before = snapshot(t.db);
    const bad = await submit(organiser, url(), url(), fields({ email: 'not an email' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('There is a problem');
    const answer = await submit(organiser, url(), url(), fields({ q_age: '12-15' }));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Age band: choose one of the answers given.');
    const taken = await submit(organiser, url(), url(), fields({ email: 'RESIDENT3@example.org' }));
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Another registration for this panel has this email address');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('before the commitment: the change is stored, the trail names the fields and not the values', async () => {
    const res = await submit(organiser, url(), url(), fields({ address: '3a Spon Street', q_age: '40-64' }));
    expect(res.headers.location).toContain('corrected=2');
    expect(t.db.prepare('SELECT address FROM registrants WHERE public_id = ?').pluck().get(who().publicId)).toBe('3a Spon Street');
    const entry = parsed(listAudit(t.db, t.panelId, 20).find((a) => a.action === 'registrant.corrected'));
    expect(entry).toMatchObject({ subject: who().publicId, detail: { fields: ['address', 'q_age'], afterCommitment: false } });
    expect(JSON.stringify(entry)).not.toContain('3a Spon');
    const doc = JSON.parse((await organiser.get(`${t.base}/registrants/${t.idOf(who().publicId)}/subject-access.json`)).text);
    expect(doc.corrections).toEqual([{ at: expect.any(String), fields: ['Address', 'Age band'], afterCommitment: false }]);
  });

  test('after the commitment: the correction is kept, the committed pool and its fingerprint are not changed', async () => {
    const panel = findPanel(t.db, t.panelId);
    if (panel) computeQuotas(t.ctx, panel, 2, null);
    expect((await submit(organiser, t.base, `${t.base}/registration/close`, {})).status).toBe(303);
    const committed = await submit(organiser, `${t.base}/selection`, `${t.base}/commitment`, { algorithm: 'leximin', randomness: 'The Lotto draw on Saturday 5 December 2026', confirm: 'yes' });
    expect(committed.status).toBe(303);
    const before = findCommitment(t.db, t.panelId);
    expect(before?.poolCsv).toContain(who().publicId);
    const page = await organiser.get(url());
    expect(page.text).toContain('every draw still uses the answers in the committed pool');
    const res = await submit(organiser, url(), url(), fields({ address: '3b Spon Street', q_gender: 'Man', q_age: '40-64' }));
    expect(res.headers.location).toContain('corrected=2');
    expect(findCommitment(t.db, t.panelId)).toEqual(before);
    const doc = JSON.parse((await organiser.get(`${t.base}/registrants/${t.idOf(who().publicId)}/subject-access.json`)).text);
    expect(doc.registration.answers.find((a: { category: string }) => a.category === 'Gender').answer).toBe('Man');
    expect(doc.selection.answersTheDrawUses.find((a: { category: string }) => a.category === 'Gender').answer).toBe('Woman');
    expect(doc.corrections.at(-1)).toMatchObject({ fields: ['Address', 'Gender'], afterCommitment: true });
  });

  test('a facilitator cannot correct anyone, and changes nothing trying', async () => {
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const before = snapshot(t.db);
    expect((await facilitator.get(url())).status).toBe(403);
    const token = await (async () => { const r = await facilitator.get('/account'); return /name="_csrf" value="([^"]+)"/.exec(r.text)?.[1] ?? ''; })();
    const res = await facilitator.post(url()).type('form').send({ _csrf: token, ...fields({ name: 'Someone Else' }) });
    expect(res.status).toBe(403);
    expect(snapshot(t.db)).toEqual(before);
  });
});
