import { parsePaper } from '../../src/client/paper';

describe("the tellers' paper count", () => {
  test('one ballot per line, "x N" for N alike, and spoiled ballots', () => {
    expect(parsePaper('threshold', 'agree x 3\ndisagree\n\nspoiled x 2\nabstain')).toEqual({
      ballots: [...Array(3).fill({ kind: 'threshold', choice: 'agree' }), { kind: 'threshold', choice: 'disagree' }, { kind: 'threshold', choice: 'abstain' }],
      spoiled: 2,
    });
    expect(parsePaper('ranked', '2,1,3 x 2')).toEqual({ ballots: Array(2).fill({ kind: 'ranked', ranking: [1, 0, 2] }), spoiled: 0 });
    expect(parsePaper('approval', '1, 0, 2')).toEqual({ ballots: [{ kind: 'approval', dots: [1, 0, 2] }], spoiled: 0 });
    expect(parsePaper('consent', 'object: the tax would fall on renters\nconsent x 4')).toMatchObject({ ballots: [{ kind: 'consent', choice: 'object', reason: 'the tax would fall on renters' }, {}, {}, {}, {}] });
    expect(parsePaper('scale', '4 x 2\n0')).toEqual({ ballots: [{ kind: 'scale', level: 4 }, { kind: 'scale', level: 4 }, { kind: 'scale', level: 0 }], spoiled: 0 });
  });

  test('a line it cannot read is named, with what to write instead', () => {
    expect(parsePaper('threshold', 'agree\nmaybe')).toEqual({ problem: 'Line 2, "maybe": write agree, disagree or abstain, or "spoiled".' });
    expect(parsePaper('ranked', 'first, second')).toMatchObject({ problem: expect.stringContaining('Line 1') });
  });
});
