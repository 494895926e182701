import { agendaTemplates, exampleAgenda } from '../../src/room/agenda';
import { blankRow, builderView, type Draft, edit, exportName, fieldName, hasRows, importJson, parseAction, readDraft, toAgenda, toDraft } from '../../src/room/agenda-form';
import { errorOffset, jsonProblem } from '../../src/room/json-problem';

const templates = agendaTemplates();
const example = exampleAgenda();

/** A draft as a form body: the boxes' names and their text, a ticked box as "yes" and an unticked one left out. */
function body(draft: Draft): Record<string, string> {
  const fields: Record<string, string> = { title: draft.title };
  draft.rounds.forEach((row, i) => {
    for (const [key, value] of Object.entries(row) as [keyof typeof row, string | boolean][]) {
      if (value === true) fields[fieldName(i, key)] = 'yes';
      else if (typeof value === 'string') fields[fieldName(i, key)] = value;
    }
  });
  return fields;
}

const short = (): Draft => ({
  title: 'Evening',
  rounds: [
    { ...blankRow('briefing'), title: 'Welcome', minutes: '10', speaker: 'Chair' },
    { ...blankRow('discussion'), title: 'Talk', minutes: '30', speakerSeconds: '90' },
    { ...blankRow('vote'), title: 'Decide', minutes: '15', voteQuestion: 'Which ideas go forward?', voteMethod: 'ranked', voteOptions: 'Buses\r\n\r\n  Libraries  \n', voteSecret: true, voteQuorum: '12' },
  ],
});

describe('form to agenda', () => {
  test('the rows become the agenda, each with the settings of its type only', () => {
    const draft = short();
    draft.rounds[0].turnSeconds = '40'; // typed while it was a round-robin: kept in the row, left out of a briefing
    draft.rounds[1].voteQuestion = 'left over';
    const built = toAgenda(readDraft(body(draft)));
    expect(built).toEqual({
      ok: true,
      agenda: {
        title: 'Evening',
        rounds: [
          { type: 'briefing', title: 'Welcome', minutes: 10, speaker: 'Chair' },
          { type: 'discussion', title: 'Talk', minutes: 30, speakerSeconds: 90 },
          { type: 'vote', title: 'Decide', minutes: 15, vote: { question: 'Which ideas go forward?', method: 'ranked', options: ['Buses', 'Libraries'], secret: true, quorum: 12 } },
        ],
      },
    });
    expect(readDraft(body(draft)).rounds[0].turnSeconds).toBe('40');
  });

  test('empty settings are left out, and a vote round with none carries no vote', () => {
    const draft: Draft = { title: 'Day', rounds: [{ ...blankRow('tables'), title: 'Tables', minutes: '40' }, { ...blankRow('vote'), title: 'Vote', minutes: '10' }] };
    expect(toAgenda(draft)).toEqual({ ok: true, agenda: { title: 'Day', rounds: [{ type: 'tables', title: 'Tables', minutes: 40 }, { type: 'vote', title: 'Vote', minutes: 10 }] } });
  });

  test('an agenda and its rows go back and forth unchanged: both templates', () => {
    for (const { agenda } of templates) expect(toAgenda(readDraft(body(toDraft(agenda))))).toEqual({ ok: true, agenda });
  });

  test('rows are read in the order of their numbers, gaps closed; unknown and non-text fields are ignored', () => {
    const fields = { title: 'T', 'rounds.10.type': 'ideas', 'rounds.10.title': 'Later', 'rounds.2.type': 'briefing', 'rounds.2.title': 'First', 'rounds.2.colour': 'red', 'rounds.x.title': 'no', 'rounds.1234.title': 'too far' };
    expect(readDraft({ ...fields, 'rounds.3.title': ['a', 'b'] }).rounds.map((r) => [r.type, r.title])).toEqual([['briefing', 'First'], ['ideas', 'Later']]);
    expect(hasRows(fields)).toBe(true);
    expect(hasRows({ panelId: '1', agenda: '{}' })).toBe(false);
  });

  test('errors name the round and the field in words, keyed by the box they are about', () => {
    const draft = short();
    draft.title = '';
    draft.rounds[0].minutes = '0';
    draft.rounds[1].title = '  ';
    draft.rounds[1].speakerSeconds = 'ninety';
    draft.rounds[2].minutes = '';
    draft.rounds[2].voteMethod = 'lottery';
    draft.rounds[2].voteQuorum = '2.5';
    draft.rounds[2].voteOptions = 'x'.repeat(281);
    expect(toAgenda(draft)).toEqual({
      ok: false,
      errors: {
        title: "The agenda's title is required",
        'rounds.0.minutes': 'Round 1: minutes must be at least 1',
        'rounds.1.title': 'Round 2: title is required',
        'rounds.1.speakerSeconds': 'Round 2: the per-speaker limit must be a number',
        'rounds.2.minutes': 'Round 3: minutes is required',
        'rounds.2.vote.method': 'Round 3: the vote method must be one of threshold, approval, ranked, scale, consent',
        'rounds.2.vote.options': 'Round 3: each vote choice must be at most 280 characters',
        'rounds.2.vote.quorum': 'Round 3: the quorum must be a whole number',
      },
    });
  });

  test('limits are in words too, and a type the form does not offer is named', () => {
    const draft: Draft = {
      title: 'x'.repeat(201),
      rounds: [
        { ...blankRow('tables'), type: 'party', title: 'A', minutes: '5' },
        { ...blankRow('tables'), title: 'B', minutes: '481', tableSize: '2' },
        { ...blankRow('round-robin'), title: 'C', minutes: '5', turnSeconds: '1801' },
      ],
    };
    expect(toAgenda(draft)).toEqual({
      ok: false,
      errors: {
        title: "The agenda's title must be at most 200 characters",
        'rounds.0.type': 'Round 1: type must be one of briefing, discussion, round-robin, ideas, tables, vote',
        'rounds.1.minutes': 'Round 2: minutes must be at most 480',
        'rounds.1.tableSize': 'Round 2: the table size must be at least 3 people',
        'rounds.2.turnSeconds': 'Round 3: the time per turn must be at most 1800 seconds',
      },
    });
    expect(toAgenda({ title: 'Empty', rounds: [] })).toEqual({ ok: false, errors: { rounds: 'An agenda needs at least one round' } });
    for (const type of ['__proto__', 'constructor', 'toString']) {
      expect(toAgenda({ title: 'T', rounds: [{ ...blankRow(), type, title: 'x', minutes: '5' }] })).toMatchObject({ ok: false, errors: { 'rounds.0.type': expect.stringMatching(/^Round 1: type must be one of/) } });
    }
  });
});

describe('the buttons', () => {
  test('parseAction reads each button, a form sent without one as create, and refuses others', () => {
    expect(parseAction(undefined)).toEqual({ kind: 'create' });
    expect(parseAction('add')).toEqual({ kind: 'add' });
    expect(parseAction('up:3')).toEqual({ kind: 'up', index: 3 });
    expect(parseAction('delete:0')).toEqual({ kind: 'delete', index: 0 });
    expect(parseAction('template:evening')).toEqual({ kind: 'template', id: 'evening' });
    for (const bad of ['party', 'up:', 'up:-1', 'up:1e3', 'delete:99999', 'template:', 'template:../x', ['add'], { kind: 'add' }, 1]) expect(parseAction(bad)).toBeUndefined();
  });

  test('add puts a blank round at the end, and refuses a 101st', () => {
    const next = edit(short(), { kind: 'add' }, templates);
    expect(next.draft.rounds).toHaveLength(4);
    expect(next.draft.rounds[3]).toEqual(blankRow());
    expect(next.draft.rounds.slice(0, 3)).toEqual(short().rounds);
    const full: Draft = { title: 'Long', rounds: Array.from({ length: 100 }, () => blankRow()) };
    const refused = edit(full, { kind: 'add' }, templates);
    expect(refused.draft).toBe(full);
    expect(refused.errors).toEqual({ rounds: 'An agenda has at most 100 rounds: delete one to add another.' });
  });

  test('up, down and delete move and remove one round; at the ends and past them nothing changes', () => {
    const draft = short();
    const titles = (d: Draft) => d.rounds.map((r) => r.title);
    expect(titles(edit(draft, { kind: 'up', index: 2 }, templates).draft)).toEqual(['Welcome', 'Decide', 'Talk']);
    expect(titles(edit(draft, { kind: 'down', index: 0 }, templates).draft)).toEqual(['Talk', 'Welcome', 'Decide']);
    expect(titles(edit(draft, { kind: 'delete', index: 1 }, templates).draft)).toEqual(['Welcome', 'Decide']);
    for (const action of [{ kind: 'up', index: 0 }, { kind: 'down', index: 2 }, { kind: 'up', index: 7 }, { kind: 'delete', index: 3 }] as const) {
      expect(edit(draft, action, templates)).toEqual({ draft, errors: {}, importText: '' });
    }
    expect(titles(draft)).toEqual(['Welcome', 'Talk', 'Decide']); // the draft given is not changed
  });

  test('a template replaces the rows; an unknown one changes nothing', () => {
    expect(edit(short(), { kind: 'template', id: 'evening' }, templates).draft).toEqual(toDraft(templates[1].agenda));
    expect(edit(short(), { kind: 'template', id: 'cultural-strategy' }, templates).draft).toEqual(toDraft(example));
    const refused = edit(short(), { kind: 'template', id: 'nope' }, templates);
    expect(refused.draft).toEqual(short());
    expect(refused.errors.templates).toMatch(/no such template/);
  });

  test('import fills the builder and empties the box; bad JSON leaves the rows and keeps the text', () => {
    const file = JSON.stringify(templates[1].agenda, null, 2);
    expect(edit(short(), { kind: 'import' }, templates, `\uFEFF${file}`)).toEqual({ draft: toDraft(templates[1].agenda), errors: {}, importText: '' });
    const broken = '{\n  "title": "Day",\n  "rounds": [\n    { "type": "briefing", "title": "Hi", "minutes": 5, }\n  ]\n}';
    const refused = edit(short(), { kind: 'import' }, templates, broken);
    expect(refused.draft).toEqual(short());
    expect(refused.importText).toBe(broken);
    expect(refused.errors).toEqual({ agenda: 'The agenda file is not valid JSON: expected double-quoted property name; check for a missing comma or quote near line 4.' });
    expect(edit(short(), { kind: 'import' }, templates, '  ').errors.agenda).toBe('Paste an agenda first: the box is empty.');
  });
});

describe('importing JSON', () => {
  test('an agenda that parses but does not fit says what is wrong with each round', () => {
    expect(importJson('{"title":"Day","rounds":[{"type":"vote","title":"V","minutes":5,"vote":{"method":"dice","quorum":-1}}]}')).toEqual({
      ok: false,
      message: 'The agenda file cannot be used: Round 1: the vote method must be one of threshold, approval, ranked, scale, consent; Round 1: the quorum must be at least 0 ballots.',
    });
    expect(importJson('[1, 2]')).toEqual({ ok: false, message: 'The agenda file cannot be used: It must be one agenda: {"title": "…", "rounds": [ … ]}.' });
    const many = { title: 'Day', rounds: Array.from({ length: 12 }, () => ({ type: 'party', title: 'x', minutes: 5 })) };
    expect(importJson(JSON.stringify(many))).toMatchObject({ ok: false, message: expect.stringMatching(/Round 10: type must be one of [^;]*; and 2 more\.$/) });
  });

  test('JSON errors in plain words, with the line to look at', () => {
    const problem = (text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        return jsonProblem(text, err);
      }
      throw new Error('it parsed');
    };
    expect(problem('{\n  "a": 1\n  "b": 2\n}')).toBe("expected ',' or '}' after property value; check for a missing comma or quote near line 3");
    expect(problem("{\n  'a': 1\n}")).toBe('expected property name or \'}\'; check for a missing comma or quote near line 2');
    expect(problem('{"a": [1, 2,\n]}')).toBe('unexpected “]”; check for a missing comma or quote near line 2');
    expect(problem('{"a": \'x\'}')).toBe('unexpected single quote (JSON needs double quotes); check for a missing comma or quote near line 1');
    expect(problem('{"a": 1')).toMatch(/near line 1$/);
    expect(problem('{"a": "b')).toBe('unterminated string; check for a missing comma or quote near line 1');
    expect(problem('{"a": ')).toBe('it stops too soon; check for a missing closing bracket, brace or quote at the end');
    expect(problem('{"a": 1}\n\n}')).toBe('unexpected non-whitespace character after the end; check for a missing comma or quote near line 3');
  });

  test('errorOffset finds no error in valid JSON, however deep', () => {
    for (const text of ['{}', ' [ ] ', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n\\"x"],"b":{}}', `${'['.repeat(20_000)}${']'.repeat(20_000)}`]) {
      expect(errorOffset(text)).toBeUndefined();
    }
    expect(errorOffset('{"a":"\\x"}')).toBe(6);
    expect(errorOffset('[01]')).toBe(2);
  });
});

describe('the page', () => {
  test('builderView gives each box its name, value and error, and the total length', () => {
    const view = builderView(short(), { 'rounds.1.title': 'Round 2: title is required' });
    expect(view.count).toBe(3);
    expect(view.length).toBe('55 min');
    expect(view.rounds[1].f.title).toEqual({ name: 'rounds.1.title', value: 'Talk', error: 'Round 2: title is required' });
    expect(view.rounds[2].f.voteSecret.value).toBe(true);
    expect(view.rounds[0].types.find((t) => t.selected)?.value).toBe('briefing');
    expect(view.rounds[2].methods.find((m) => m.selected)?.value).toBe('ranked');
    expect(view.rounds[0].methods.find((m) => m.selected)?.value).toBe('');
    expect([view.rounds[0].first, view.rounds[2].last]).toEqual([true, true]);
    expect(builderView(toDraft(example)).length).toBe('3 h 55 min');
  });

  test('the download is named after the agenda', () => {
    expect(exportName(example)).toBe('agenda-coventry-cultural-strategy-citizens-panel-day-one.json');
    expect(exportName({ ...example, title: '!!!' })).toBe('agenda.json');
    expect(exportName({ ...example, title: 'Café ☕ night' })).toBe('agenda-cafe-night.json');
  });
});
