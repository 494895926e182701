/** Error codes a command can be refused with (rule 2); anything else is reported as `internal`. */
export const ERROR_CODES = ['invalid', 'forbidden', 'not_found', 'conflict', 'too_fast', 'unavailable', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class RoomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
