import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import type { CsvError } from '../csv';
import { verifyCsrf } from './csrf';
import { HttpError } from './errors';

export const MAX_UPLOAD_MB = 20;

/** One CSV file in field `file`, held in memory, then the CSRF check (which needs the parsed body). */
export function csvUpload() {
  const single = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_UPLOAD_MB * 1024 * 1024, files: 1, fields: 20 },
  }).single('file');
  const receive = (req: Request, res: Response, next: NextFunction) =>
    single(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        const message =
          err.code === 'LIMIT_FILE_SIZE'
            ? `The file is larger than ${MAX_UPLOAD_MB} MB. Split it into smaller files and upload each.`
            : `The upload could not be read (${err.message}). Choose one CSV file and try again.`;
        return next(new HttpError(err.code === 'LIMIT_FILE_SIZE' ? 413 : 400, message));
      }
      if (err) return next(new HttpError(400, 'The upload was cut short or garbled. Choose the file again and retry.'));
      next();
    });
  return [receive, verifyCsrf];
}

export function uploadedFile(req: Request): Buffer {
  const file = req.file;
  if (!file || file.size === 0) {
    throw new HttpError(400, 'No file was chosen, or the file is empty. Choose a CSV file and try again.');
  }
  return file.buffer;
}

/** At most this many problems of a refused file are listed on the page; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 200;

/** What the csv-problems partial shows for a refused file: the first problems, how many in all, and the file's name. */
export function problemsView(err: CsvError, req: Request) {
  return {
    problems: err.problems.slice(0, MAX_PROBLEMS_SHOWN),
    problemCount: err.problems.length,
    moreProblems: Math.max(0, err.problems.length - MAX_PROBLEMS_SHOWN),
    fileName: req.file?.originalname,
  };
}
