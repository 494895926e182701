import { commitmentHash, replacementSeed } from '../../src/selection/commitment';
import { normaliseNumbers, seedFrom } from '../../src/public-numbers';
import { sha256 } from '../../src/tokens';

describe('the public numbers and the seed', () => {
  test.each([
    ['7 19 23 31 40 52', '7 19 23 31 40 52'],
    ['07, 19;23\t31\n40  52', '7 19 23 31 40 52'],
    ['  5,5 ', '5 5'],
  ])('%j is read as %j, in the order published', (typed, canonical) => {
    expect(normaliseNumbers(typed)).toBe(canonical);
  });

  test('the seed is the SHA-256 of the fingerprint, a space and the numbers, as the public page says', () => {
    expect(seedFrom('abc', '7 19')).toBe(sha256('abc 7 19'));
    expect(seedFrom('abc', '7 19')).not.toBe(seedFrom('abc', '19 7'));
    expect(replacementSeed('s', 1)).toBe(sha256('s replacement 1'));
    expect(replacementSeed('s', 1)).not.toBe(replacementSeed('s', 2));
  });

  test('the fingerprint changes with anything committed', () => {
    const fields = { panel: 'p', algorithm: 'leximin', engineVersion: 'v', panelSize: 40, poolSha256: 'a', quotasSha256: 'b', randomness: 'Lotto' };
    const hash = commitmentHash(fields);
    for (const [key, value] of Object.entries({ panel: 'q', algorithm: 'maximin', engineVersion: 'w', panelSize: 41, poolSha256: 'c', quotasSha256: 'd', randomness: 'Euro' })) {
      expect(commitmentHash({ ...fields, [key]: value })).not.toBe(hash);
    }
  });
});
