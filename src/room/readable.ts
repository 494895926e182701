import type { z } from 'zod';

/**
 * zod's safeParse, or undefined for input zod itself trips over (an object posing as a string, with a `length`
 * that is not a number): such a payload is refused as unreadable, not answered as a fault.
 */
export function readable<T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> | undefined {
  try {
    return schema.safeParse(value);
  } catch {
    return undefined;
  }
}
