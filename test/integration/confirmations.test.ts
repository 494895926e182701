import { closeRegistration, findPanel, listCategories, type Panel } from '../../src/panels/repo';
import { computeQuotas } from '../../src/panels/quotas';
import { insertRegistrant } from '../../src/registration/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { findCommitment, finishDraw, insertDraw } from '../../src/selection/repo';
import { listMembers } from '../../src/membership/members';
import { logIn, makeApp, snapshot, smallPanel, submit } from '../helpers';

/**
 * Issue 19: what cannot be undone asks for a tick in the same form ("I understand this cannot be undone"), checked
 * on the server. Without it: 400, the page again with the message beside the box, and nothing changed. With it:
 * done. Deleting a draft panel is tested with the rest of a panel's upkeep (panel-upkeep.test.ts).
 */

const t = makeApp();
const TICK = 'Tick “I understand this cannot be undone” to go ahead. Nothing was changed.';
let panel: Panel;
let admin = '';
let organiser: Awaited<ReturnType<typeof logIn>>;

beforeAll(async () => {
  const { panelId } = smallPanel(t.db, t.clock);
  const categories = listCategories(t.db, panelId);
  for (let i = 0; i < 20; i++) {
    insertRegistrant(t.db, panelId, {
      name: `Person ${i}`, email: `person${i}@example.org`, address: `${i} Test Street`, postcode: 'CV1 5RR',
      valueIds: categories.map((c) => c.values[i % c.values.length].id), source: 'import', consentAt: t.clock.now(),
    }, t.clock.now());
  }
  panel = findPanel(t.db, panelId) as Panel;
  computeQuotas(t.ctx, panel, 3, null);
  closeRegistration(t.db, panelId, t.clock.now());
  admin = `/admin/panels/${panelId}`;
  organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
});

const commitment = { algorithm: 'leximin', randomness: 'The main numbers of the UK National Lottery Lotto draw on Saturday 5 December 2026' };

describe('publishing the commitment', () => {
  test('the form has the box, next to the button', async () => {
    const page = await organiser.get(`${admin}/selection`);
    expect(page.text).toMatch(/id="confirm-commit-box" name="confirm" value="yes" required[\s\S]*I understand this cannot be undone[\s\S]*Publish the commitment<\/button>/);
  });

  test('without the tick: 400, the message beside the box, what was typed kept, and nothing published', async () => {
    const before = snapshot(t.db);
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, commitment);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="confirm-commit-error"><span class="visually-hidden">Error:</span> ${TICK}</p>`);
    expect(res.text).toContain('href="#confirm-commit"');
    expect(res.text).toContain(`value="${commitment.randomness}"`);
    expect(findCommitment(t.db, panel.id)).toBeUndefined();
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a tick with another value is no tick', async () => {
    const before = snapshot(t.db);
    expect((await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { ...commitment, confirm: 'no' })).status).toBe(400);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('with it: published', async () => {
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { ...commitment, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(findCommitment(t.db, panel.id)?.randomness).toBe(commitment.randomness);
  });
});

describe('entering the public numbers', () => {
  test('without the tick: 400, the message beside the box, and no draw', async () => {
    const before = snapshot(t.db);
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '7 19 23 31 40 52' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`id="confirm-numbers-error"><span class="visually-hidden">Error:</span> ${TICK}`);
    expect(res.text).toContain('value="7 19 23 31 40 52"');
    expect(findCommitment(t.db, panel.id)?.numbers).toBeNull();
    expect(snapshot(t.db)).toEqual(before);
  });

  test('no numbers at all reads as good English', async () => {
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '', confirm: 'yes' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Type the numbers as published, such as 7 19 23 31 40 52.');
    expect(res.text).not.toContain('The numbers is required');
  });

  test('with it: the final draw runs', async () => {
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '7 19 23 31 40 52', confirm: 'yes' });
    expect(res.status).toBe(303);
    await t.runner.settled(Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]));
    expect(findCommitment(t.db, panel.id)?.numbers).toBe('7 19 23 31 40 52');
    expect(listMembers(t.db, panel.id)).toHaveLength(10);
  });
});

describe('withdrawing a member', () => {
  test('each button says what it does, with its own box', async () => {
    const page = await organiser.get(`${admin}/selection`);
    const [first] = listMembers(t.db, panel.id);
    expect(page.text).toContain(`Withdraw ${first.publicId} (dropped out or did not reply)</button>`);
    expect(page.text).toContain(`id="confirm-withdraw-${first.id}-box"`);
    expect(page.text).not.toContain('has dropped out or not replied');
  });

  test('without the tick: 400, the message beside that member’s box, and they keep their seat', async () => {
    const [first] = listMembers(t.db, panel.id);
    const before = snapshot(t.db);
    const res = await submit(organiser, `${admin}/selection`, `${admin}/members/${first.id}/withdraw`, {});
    expect(res.status).toBe(400);
    expect(res.text).toContain(`id="confirm-withdraw-${first.id}-error"><span class="visually-hidden">Error:</span> ${TICK}`);
    // Beside that member's box only.
    expect(res.text.match(/id="confirm-withdraw-\d+-error"/g)).toHaveLength(1);
    expect(listMembers(t.db, panel.id)[0].status).toBe('selected');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('with it: withdrawn, and their seat is empty', async () => {
    const [first] = listMembers(t.db, panel.id);
    const res = await submit(organiser, `${admin}/selection`, `${admin}/members/${first.id}/withdraw`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(listMembers(t.db, panel.id)[0].status).toBe('withdrawn');
    expect((await organiser.get(`${admin}/selection`)).text).toContain('1 seat is empty.');
  });

  test('someone already withdrawn is refused for that reason, tick or not', async () => {
    const [first] = listMembers(t.db, panel.id);
    const before = snapshot(t.db);
    const res = await submit(organiser, `${admin}/selection`, `${admin}/members/${first.id}/withdraw`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain(`${first.publicId} has already withdrawn`);
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('publishing a summary', () => {
  let page = '';
  beforeAll(async () => {
    const { sessionId } = createSession(t.db, t.clock, t.room, panel, exampleAgenda(), null);
    page = `/admin/sessions/${sessionId}/summary`;
    expect((await submit(organiser, page, page, { narrative: 'The panel met.', corrections: '' })).status).toBe(200);
  });

  test('without the tick: 400, the message beside the box, and nothing published', async () => {
    expect((await organiser.get(page)).text).toContain('id="confirm-publish-box"');
    const before = snapshot(t.db);
    const res = await submit(organiser, page, `${page}/publish`, {});
    expect(res.status).toBe(400);
    expect(res.text).toContain(`id="confirm-publish-error"><span class="visually-hidden">Error:</span> ${TICK}`);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('with it, the publication goes on to its own checks (here: the panel has not approved it)', async () => {
    const before = snapshot(t.db);
    const res = await submit(organiser, page, `${page}/publish`, { confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('The panel has not approved revision 1 yet.');
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('wording', () => {
  test('a file with one problem says "this problem", not "these 1 problems"', async () => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await organiser.get(`${admin}/quotas`)).text)?.[1] ?? '';
    const res = await organiser.post(`${admin}/quotas/import`).field('_csrf', token).attach('file', Buffer.from('category,value,min,max\nnope,Woman,1,2\n'), 'quotas.csv');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Fix this problem in the file, then upload it again.');
    expect(res.text).not.toContain('these 1 problems');
  });

  test('a draw’s chart says what its own method does', async () => {
    const captions: Record<string, RegExp> = { leximin: /LEXIMIN makes the chances as equal as the quotas allow/, maximin: /MAXIMIN raises the lowest chance/, nash: /NASH \(Nash welfare\) gives everyone as equal a chance as it can while never leaving anyone at zero/, legacy: /The legacy method picks people one at a time/ };
    for (const algorithm of ['leximin', 'maximin', 'nash', 'legacy'] as const) {
      const id = insertDraw(t.db, { panelId: panel.id, kind: 'trial', algorithm, seed: 'words', panelSize: 2, poolCsv: 'id\nA\nB\n', quotasCsv: 'category,value,min,max\n' }, null, t.clock.now());
      finishDraw(t.db, id, t.clock.now(), { selected: ['A', 'B'], minProbability: 1, gini: 0, counts: [], chances: [1, 1], poolSize: 2, types: 1, notes: [] }, null);
      const page = (await organiser.get(`${admin}/draws/${id}`)).text;
      const caption = /<figcaption>How many people have each chance\. ([^<]*)<\/figcaption>/.exec(page)?.[1] ?? '';
      expect([algorithm, caption]).toEqual([algorithm, expect.stringMatching(captions[algorithm])]);
      if (algorithm !== 'leximin') expect(caption).not.toContain('LEXIMIN');
    }
  });
});
