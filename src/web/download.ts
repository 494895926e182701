import type { Response } from 'express';

/** Sends CSV text as a file to save, under `filename`. */
export function sendCsv(res: Response, filename: string, text: string): void {
  res.type('text/csv; charset=utf-8').attachment(filename).send(text);
}
