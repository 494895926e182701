/** An error meant for the user: its message says what went wrong and what to do. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly title = defaultTitle(status),
  ) {
    super(message);
  }
}

function defaultTitle(status: number): string {
  if (status === 400) return 'Something in the form needs fixing';
  if (status === 401) return 'Please log in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 409) return 'Already done';
  if (status === 413) return 'Too large';
  if (status === 429) return 'Too many attempts';
  return 'Something went wrong';
}

export const notFound = (what: string) =>
  new HttpError(404, `${what} was not found. Check the address, or go back to the list and pick it from there.`);
