import type { Ballot, VoteSettings } from '../voting/types';

/** How a teller writes one paper ballot, per method, for the form's hint. */
export const PAPER_FORMAT: Record<VoteSettings['method'], string> = {
  threshold: 'agree, disagree or abstain',
  approval: 'the dots on each option in order, such as 2,0,1',
  ranked: 'the option numbers in order of preference, such as 2,1,3',
  scale: 'the level, such as 4 (0 to abstain)',
  consent: 'consent, abstain, or object: the reason',
};

/**
 * Reads the tellers' count: one paper ballot per line, or `LINE x N` for N identical ballots, and `spoiled x N`.
 * Returns the ballots, or the first problem with its line number.
 */
export function parsePaper(method: VoteSettings['method'], text: string): { ballots: Ballot[]; spoiled: number } | { problem: string } {
  const ballots: Ballot[] = [];
  let spoiled = 0;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const [, body, times] = /^(.*?)(?:\s*[x×]\s*(\d+))?$/i.exec(line) ?? [];
    const n = times ? Number(times) : 1;
    if (/^spoiled$/i.test(body)) {
      spoiled += n;
      continue;
    }
    const ballot = readBallot(method, body);
    if (!ballot) return { problem: `Line ${i + 1}, "${line}": write ${PAPER_FORMAT[method]}, or "spoiled".` };
    for (let k = 0; k < n; k++) ballots.push(ballot);
  }
  return { ballots, spoiled };
}

function readBallot(method: VoteSettings['method'], text: string): Ballot | undefined {
  const numbers = () => (/^\d+(\s*,\s*\d+)*$/.test(text) ? text.split(',').map((x) => Number(x.trim())) : undefined);
  switch (method) {
    case 'threshold': {
      const choice = text.toLowerCase();
      return choice === 'agree' || choice === 'disagree' || choice === 'abstain' ? { kind: 'threshold', choice } : undefined;
    }
    case 'approval': {
      const dots = numbers();
      return dots && { kind: 'approval', dots };
    }
    case 'ranked': {
      const ranks = numbers();
      return ranks && { kind: 'ranked', ranking: ranks.map((r) => r - 1) };
    }
    case 'scale':
      return /^\d$/.test(text) ? { kind: 'scale', level: Number(text) } : undefined;
    case 'consent': {
      const object = /^object\s*:\s*(.+)$/i.exec(text);
      if (object) return { kind: 'consent', choice: 'object', reason: object[1].trim() };
      const choice = text.toLowerCase();
      return choice === 'consent' || choice === 'abstain' ? { kind: 'consent', choice } : undefined;
    }
  }
}
