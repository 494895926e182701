import { registerCsv } from '../../fixtures/generate-register';
import { householdCode } from '../../src/mailout/codes';
import { keyStore } from '../../src/keys';
import { computeQuotas } from '../../src/panels/quotas';
import { findPanel, insertCategory } from '../../src/panels/repo';
import { csrfToken, logIn, makeApp, smallPanel, submit, type Agent } from '../helpers';

export const WARDS = ['Bablake', 'Binley and Willenhall', 'Cheylesmore', 'Earlsdon', 'Foleshill', 'Henley', 'Holbrook', 'Longford', 'Lower Stoke', 'Radford', 'Sherbourne', "St Michael's", 'Upper Stoke', 'Wainbody', 'Westwood', 'Whoberley', 'Woodlands', 'Wyken'];
export const register = Buffer.from([...registerCsv('flow-test', 3000)].join(''));

/** Stage one from the organiser's side (issue 21): register, plan, commitment, numbers, draw, letters. */
export async function setUp() {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  t.db.prepare('UPDATE panels SET contact_phone = ? WHERE id = ?').run('024 7683 1234', panelId);
  insertCategory(t.db, panelId, { key: 'ward', label: 'Ward', question: 'Your ward?', values: WARDS.map((w) => ({ value: w, label: w, share: 100 / 18 })) });
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  computeQuotas(t.ctx, findPanel(t.db, panelId)!, 1, null);
  return { ...t, panelId, organiser, base: `/admin/panels/${panelId}/mailout` };
}

export async function upload(agent: Agent, base: string, file: Buffer, name = 'register.csv') {
  const _csrf = await csrfToken(agent, base);
  return agent.post(`${base}/register`).field('_csrf', _csrf).attach('file', file, name);
}

/** Waits for the register import to end, as the page's refresh would. */
export async function settled(agent: Agent, base: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const page = await agent.get(base);
    if (!/refreshes by itself/.test(page.text)) return page.text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the import did not finish');
}


/** A panel that has sent one wave of letters: its invited households, each with its code and address. */
export async function withLetters(letters = 300) {
  const t = await setUp();
  await upload(t.organiser, t.base, register);
  await settled(t.organiser, t.base);
  await submit(t.organiser, t.base, `${t.base}/plan`, { letters: String(letters), factor: '1.5', deprived: '2' });
  await submit(t.organiser, t.base, `${t.base}/waves`, { randomness: 'the UK Lotto draw of Saturday 16 January 2027' });
  const drawn = await submit(t.organiser, t.base, `${t.base}/waves/1/draw`, { numbers: '7 19 23 31 40 52' });
  if (drawn.status !== 303) throw new Error(`the draw failed: ${drawn.status}`);
  const key = keyStore(t.db).key('letters');
  const invited = (t.db.prepare('SELECT h.id, h.uprn, h.line1, h.line2, h.postcode FROM letters l JOIN households h ON h.id = l.household_id ORDER BY l.position').all() as { id: number; uprn: string; line1: string; line2: string; postcode: string }[])
    .map((h) => ({ ...h, code: householdCode(key, t.panelId, h.uprn) }));
  return { ...t, invited };
}
