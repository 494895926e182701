import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { csrfToken, logIn, makeApp, smallPanel, snapshot, submit } from '../helpers';

/** Findings of the first security review, each kept fixed by a test. */

async function organiserWithPanel() {
  const t = makeApp();
  const { panelId } = smallPanel(t.db, t.clock);
  const a = await logIn(t.db, t.clock, t.agent(), 'organiser');
  return { ...t, panelId, a };
}

function register(t: Awaited<ReturnType<typeof organiserWithPanel>>, name: string, email: string) {
  return submit(t.agent(), '/register/test-panel', '/register/test-panel', {
    name, email, address: '1 Demo Street', postcode: 'CV1 5RR', q_gender: 'Woman', q_age: '65+', consent: 'yes',
  });
}

describe('CSRF', () => {
  test('a multipart post to a route that is not an upload is refused, not let through unchecked', async () => {
    const t = await organiserWithPanel();
    await register(t, 'Ada Testwell', 'ada@example.org');
    const id = (t.db.prepare('SELECT id FROM registrants').get() as { id: number }).id;
    const before = snapshot(t.db);
    const res = await t.a.post(`/admin/panels/${t.panelId}/registrants/${id}/erase`).field('x', '1');
    expect(res.status).toBe(403);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('an upload without the token is refused once its body is read', async () => {
    const t = await organiserWithPanel();
    const before = snapshot(t.db);
    const res = await t.a.post(`/admin/panels/${t.panelId}/pool/import`).field('consentConfirmed', 'yes').attach('file', Buffer.from('a,b\n1,2\n'), 'x.csv');
    expect(res.status).toBe(403);
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('erasure leaves nothing behind in the database file', () => {
  test('the erased name and email cannot be found in the file or its write-ahead log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-erase-'));
    const file = path.join(dir, 'erase.db');
    const db = openDb(file);
    const clock = new ManualClock();
    try {
      const { app } = createApp({ db, clock, config: testConfig(), log: () => {} });
      const { panelId } = smallPanel(db, clock);
      await submit(request.agent(app), '/register/test-panel', '/register/test-panel', {
        name: 'Zebedee Quillfeather', email: 'zebedee.quill@example.org', address: '99 Unusual Lane', postcode: 'CV1 5RR',
        q_gender: 'Man', q_age: '40-64', consent: 'yes',
      });
      const a = await logIn(db, clock, request.agent(app), 'organiser');
      const id = (db.prepare('SELECT id FROM registrants').get() as { id: number }).id;
      const page = `/admin/panels/${panelId}/registrants/${id}/erase`;
      expect((await submit(a, page, page, {})).status).toBe(303);
      const bytes = [file, `${file}-wal`].filter(fs.existsSync).map((f) => fs.readFileSync(f).toString('latin1')).join('');
      for (const secret of ['Zebedee', 'Quillfeather', 'zebedee.quill', 'Unusual Lane']) expect(bytes).not.toContain(secret);
    } finally {
      closeDb(db);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed requests get a 4xx, never a 500', () => {
  test('a broken percent-encoding in the address', async () => {
    const { agent } = makeApp();
    const res = await agent().get('/register/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.text).toContain('That address is malformed');
  });

  test('a multipart upload with no boundary', async () => {
    const t = await organiserWithPanel();
    const token = await csrfToken(t.a, `/admin/panels/${t.panelId}/pool`);
    const res = await t.a
      .post(`/admin/panels/${t.panelId}/pool/import?_csrf=${token}`)
      .set('Content-Type', 'multipart/form-data')
      .send('garbage');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  test.each(['0x1', '1e0', '01', '-1', '1.0'])('panel id %s is not found', async (id) => {
    const t = await organiserWithPanel();
    expect((await t.a.get(`/admin/panels/${id}`)).status).toBe(404);
  });
});

describe('numbers are read strictly', () => {
  test('hex, exponents and repeated fields on the quotas form are refused and change nothing', async () => {
    const t = await organiserWithPanel();
    const v = (t.db.prepare("SELECT id FROM category_values WHERE value = 'Woman'").get() as { id: number }).id;
    const page = `/admin/panels/${t.panelId}/quotas`;
    const before = snapshot(t.db);
    for (const fields of [{ [`min_${v}`]: '0x2', [`max_${v}`]: '3' }, { [`min_${v}`]: '1', [`max_${v}`]: '1e1' }]) {
      const res = await submit(t.a, page, page, fields);
      expect(res.status).toBe(400);
    }
    const token = await csrfToken(t.a, page);
    const repeated = await t.a.post(page).type('form').send(`_csrf=${token}&share_${v}=10&share_${v}=20`);
    expect(repeated.status).toBe(400);
    expect(repeated.text).toContain('sent more than once');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a panel size written in hex is not a number', async () => {
    const t = await organiserWithPanel();
    const res = await submit(t.a, '/admin/panels/new', '/admin/panels', { title: 'T', question: 'Q?', panelSize: '0x10', closesAt: '2027-01-01' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Panel size must be a number.');
  });
});

describe('quotas', () => {
  test('computing from shares that add up to 0 is refused, naming the category', async () => {
    const t = await organiserWithPanel();
    t.db.prepare("UPDATE category_values SET share = 0 WHERE value IN ('Woman', 'Man')").run();
    const before = snapshot(t.db);
    const page = `/admin/panels/${t.panelId}/quotas`;
    const res = await submit(t.a, page, `${page}/compute`, { tolerance: '1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('add up to 0 for: Gender');
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('pool import', () => {
  test('the page names the columns it did not use', async () => {
    const t = await organiserWithPanel();
    const token = await csrfToken(t.a, `/admin/panels/${t.panelId}/pool`);
    const csv = 'name,email,address,postcode,gender,age,Notes\nAda,ada@example.org,1 St,CV1 5RR,Woman,65+,hi\n';
    const res = await t.a.post(`/admin/panels/${t.panelId}/pool/import`).field('_csrf', token).field('consentConfirmed', 'yes').attach('file', Buffer.from(csv), 'p.csv');
    expect(res.status).toBe(303);
    const page = await t.a.get(res.headers.location);
    expect(page.text).toContain('These columns were not used: Notes.');
  });

  test('a UTF-8 file that contains the replacement character itself is accepted', async () => {
    const t = await organiserWithPanel();
    const token = await csrfToken(t.a, `/admin/panels/${t.panelId}/pool`);
    const csv = 'name,email,address,postcode,gender,age\nAda \uFFFD Testwell,ada@example.org,1 St,CV1 5RR,Woman,65+\n';
    const res = await t.a.post(`/admin/panels/${t.panelId}/pool/import`).field('_csrf', token).field('consentConfirmed', 'yes').attach('file', Buffer.from(csv), 'p.csv');
    expect(res.status).toBe(303);
  });
});

describe('login', () => {
  test('one address cannot try a password against many accounts without limit', async () => {
    const { agent } = makeApp();
    const a = agent();
    let last = 0;
    for (let i = 0; i < 51; i++) {
      last = (await submit(a, '/login', '/login', { email: `person${i}@example.org`, password: 'guess guess guess' })).status;
    }
    expect(last).toBe(429);
  }, 60_000); // 51 sign-ins, each a real scrypt (about 50 ms idle, far more on a busy machine)
});
