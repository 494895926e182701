import { ManualClock } from '../../src/clock';
import { minutes, RateLimiter } from '../../src/web/rate-limit';

describe('RateLimiter', () => {
  const WINDOW = 15 * 60_000;
  let clock: ManualClock;
  let limiter: RateLimiter;
  beforeEach(() => {
    clock = new ManualClock();
    limiter = new RateLimiter(3, WINDOW, clock);
  });

  test('allows `limit` hits, then refuses with the time left in the window', () => {
    expect([limiter.hit('ip'), limiter.hit('ip'), limiter.hit('ip')]).toEqual([0, 0, 0]);
    clock.advance(60_000);
    expect(limiter.hit('ip')).toBe(WINDOW - 60_000);
    expect(limiter.hit('ip')).toBe(WINDOW - 60_000);
  });

  test('allows again once the window has passed', () => {
    for (let i = 0; i < 4; i++) limiter.hit('ip');
    clock.advance(WINDOW - 1);
    expect(limiter.hit('ip')).toBe(1);
    clock.advance(1);
    expect(limiter.hit('ip')).toBe(0);
    expect(limiter.hit('ip')).toBe(0);
  });

  test('keys are counted separately', () => {
    for (let i = 0; i < 4; i++) limiter.hit('a');
    expect(limiter.hit('b')).toBe(0);
    expect(limiter.hit('a')).toBeGreaterThan(0);
  });

  test('reset clears a key, e.g. after a successful login', () => {
    for (let i = 0; i < 4; i++) limiter.hit('ip');
    limiter.reset('ip');
    expect([limiter.hit('ip'), limiter.hit('ip'), limiter.hit('ip')]).toEqual([0, 0, 0]);
    expect(limiter.hit('ip')).toBeGreaterThan(0);
  });
});

test('minutes rounds a wait up to whole minutes for the message', () => {
  expect(minutes(1)).toBe('1 minute');
  expect(minutes(60_000)).toBe('1 minute');
  expect(minutes(60_001)).toBe('2 minutes');
  expect(minutes(15 * 60_000)).toBe('15 minutes');
});
