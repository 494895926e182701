import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { panelMessages } from '../../src/messages/outbox';
import { Sender } from '../../src/messages/sender';
import { standardSource } from '../../src/messages/templates';
import { folderTransport } from '../../src/messages/transport';
import { logIn, makeApp, seatMembers, smallPanel, snapshot, submit } from '../helpers';

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`');

describe('a panel’s own wording of its messages', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-wording-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('checked when saved, previewed, sent as a test, then used for the members in that language only; and put back', async () => {
    const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
    const { panelId } = smallPanel(t.db, t.clock);
    t.db.prepare("UPDATE panels SET details_dates = 'Soboty 6, 13 i 20 marca 2027' WHERE id = ?").run(panelId);
    for (const [i, lang] of ['pl', 'en'].entries()) {
      await submit(t.agent(), `/register/test-panel?lang=${lang}`, '/register/test-panel', { name: `Resident Number${i}`, address: `${i} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '16-39', consent: 'yes', email: `r${i}@example.org` });
    }
    expect(t.db.prepare('SELECT language FROM registrants ORDER BY id').pluck().all()).toEqual(['pl', 'en']);
    t.db.prepare("DELETE FROM messages WHERE kind = 'registration-received'").run();
    const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const list = `/admin/panels/${panelId}/message-wording`;
    expect((await organiser.get(list)).text.match(/>Standard</g)).toHaveLength(36); // 9 messages in 4 languages
    const page = `${list}/invitation/pl`;
    const editor = await organiser.get(page);
    expect(decode(/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(editor.text)![1])).toBe(standardSource('invitation', 'pl'));

    // Refused, in words, changing nothing: an unknown variable, a lost link, broken syntax, no subject.
    const ours = 'Subject: Zaproszenie: {{panel}}\n\nDzień dobry {{name}},\n\nTo nasze własne zaproszenie. {{#if dates}}Kiedy: {{dates}}{{/if}}\n\n{{link}}\n';
    const before = snapshot(t.db);
    const refusals: [string, string][] = [
      [ours.replace('{{name}}', '{{nmae}}'), '{{nmae}} is not filled in for this message. It can use: {{panel}}, {{name}}'],
      [ours.replace('{{link}}', ''), 'The person’s own link is missing: put {{link}} where it should go.'],
      [ours.replace('{{/if}}', ''), 'The template cannot be read:'],
      [ours.replace('Subject: ', ''), 'The first line must be "Subject: " followed by the subject.'],
    ];
    for (const [source, why] of refusals) {
      const res = await submit(organiser, page, page, { action: 'save', source });
      expect(res.status).toBe(400);
      expect(decode(res.text)).toContain(why);
      expect(decode(/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(res.text)![1])).toBe(source); // what was typed is kept
    }
    expect(snapshot(t.db)).toEqual(before);

    // A preview shows it filled in, and saves nothing.
    const previewed = await submit(organiser, page, page, { action: 'preview', source: ours });
    expect(previewed.status).toBe(200);
    expect(decode(previewed.text)).toContain('Dzień dobry Sam Example,\n\nTo nasze własne zaproszenie. Kiedy: Soboty 6, 13 i 20 marca 2027');
    expect(previewed.text).toContain('https://panel.example.org/invite/an-example-link');
    expect(snapshot(t.db)).toEqual(before);

    // A test goes to the organiser, marked as a test.
    expect((await submit(organiser, page, page, { action: 'test', source: ours })).status).toBe(303);
    const [test] = panelMessages(t.db, panelId);
    expect(test).toMatchObject({ kind: 'wording-test', to: 'organiser@example.org', language: 'pl', subject: '[Test] Zaproszenie: Test Panel' });

    expect((await submit(organiser, page, page, { action: 'save', source: ours })).status).toBe(303);
    expect((await organiser.get(list)).text).toMatch(/Yours, saved \d{4}-\d\d-\d\d/);
    expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'message-wording.save'").pluck().get()).toBe(1);

    // The members are invited: the Polish member gets the panel's wording, the English one the standard.
    seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants ORDER BY id').pluck().all() as string[], t.clock.now(), 'selected');
    await submit(organiser, `/admin/panels/${panelId}/selection`, `/admin/panels/${panelId}/invitations`, {});
    const sender = new Sender(t.ctx, folderTransport(dir), 600);
    expect(await sender.tick()).toBe(3);
    const mails = await Promise.all(fs.readdirSync(dir).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
    const to = (m: (typeof mails)[number]) => (Array.isArray(m.to) ? m.to[0] : m.to)!.text;
    const polish = mails.find((m) => to(m) === 'r0@example.org' && !m.subject?.startsWith('[Test]'))!;
    expect(polish.subject).toBe('Zaproszenie: Test Panel');
    expect(polish.text).toMatch(/^Dzień dobry Resident Number0,\n\nTo nasze własne zaproszenie\. Kiedy: Soboty 6, 13 i 20 marca 2027\n\nhttps:\/\/panel\.example\.org\/invite\/\S+\n$/);
    expect(mails.find((m) => to(m) === 'r1@example.org')!.subject).toBe('You have been chosen for Test Panel');
    expect(mails.find((m) => m.subject?.startsWith('[Test]'))!.text).toContain('Dzień dobry Test organiser,');

    // Back to the standard wording.
    expect((await submit(organiser, page, page, { action: 'standard' })).status).toBe(303);
    expect((await organiser.get(list)).text.match(/>Standard</g)).toHaveLength(36);
    await sender.stop();
  });

  test('only the panel’s organisers: a facilitator is refused, an unknown message or language is not found', async () => {
    const t = makeApp();
    const { panelId } = smallPanel(t.db, t.clock);
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    expect((await facilitator.get(`/admin/panels/${panelId}/message-wording`)).status).toBe(403);
    const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    expect((await organiser.get(`/admin/panels/${panelId}/message-wording/password-reset/en`)).status).toBe(404);
    expect((await organiser.get(`/admin/panels/${panelId}/message-wording/invitation/xx`)).status).toBe(404);
    const page = `/admin/panels/${panelId}/message-wording/invitation/en`;
    const wrong = await submit(organiser, page, page, { action: 'publish', source: 'Subject: x\n\n{{link}}' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Choose what to do: preview, save, send a test, or go back to the standard wording.');
  });
});
