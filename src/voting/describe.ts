import { scaleLabels } from './scale';
import { scaleOf } from './settings';
import type { Ballot, VoteSettings } from './types';
import { joined, plural, quoted } from './words';

/** A ballot in words, for a voter checking their receipt: "agree", `2 dots on "Parks"`. With the settings, options and levels get their labels. */
export function describeBallot(ballot: Ballot, settings?: VoteSettings): string {
  const name = (o: number) => (settings ? quoted(settings.options, o) : `option ${o + 1}`);
  switch (ballot.kind) {
    case 'threshold':
      return ballot.choice;
    case 'approval': {
      const placed = ballot.dots.flatMap((d, o) => (d > 0 ? [`${plural(d, 'dot')} on ${name(o)}`] : []));
      return placed.length ? joined(placed) : 'no dots (abstain)';
    }
    case 'ranked':
      return ballot.ranking.length ? ballot.ranking.map(name).join(', then ') : 'no ranking (abstain)';
    case 'scale': {
      if (ballot.level === 0) return 'abstain';
      const labels = settings ? scaleLabels(scaleOf(settings)) : [];
      const label = labels[ballot.level - 1];
      return label ? `${ballot.level}, "${label}"` : `level ${ballot.level}`;
    }
    case 'consent':
      return ballot.choice === 'object' ? `object: "${ballot.reason ?? ''}"` : ballot.choice;
  }
}
