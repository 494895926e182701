import { DomainError } from '../errors';

/**
 * Long work on a panel that must not overlap (issue 18): an import, which now writes in batches between turns of
 * the event loop, and a commitment, which fixes the pool while its check runs in a worker. One at a time per
 * panel, in this process.
 */
const busy = new Map<number, string>();

/** Refused because other long work is running on the panel (answered 409, "Still running"). */
export class PanelBusyError extends DomainError {
  constructor(message: string) {
    super('conflict', message, 'Still running');
  }
}

export async function oneAtATime<T>(panelId: number, what: string, work: () => Promise<T>): Promise<T> {
  const running = busy.get(panelId);
  if (running) throw new PanelBusyError(`${running} is still running on this panel. Wait for it to finish (its page shows the result), then try again.`);
  busy.set(panelId, what);
  try {
    return await work();
  } finally {
    busy.delete(panelId);
  }
}
