/**
 * A refusal by the rules of a workflow (the selection, the membership, the pool), for people: its message says
 * what is wrong and what to do. Services throw it whoever calls them (a route, the CLI, the demo); the web
 * error handler answers it with the status of its kind.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'conflict' | 'gone',
    message: string,
    /** A heading for the page that shows it, when the kind's own would not say enough. */
    readonly title?: string,
  ) {
    super(message);
  }
}
