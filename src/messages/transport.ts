import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

/** One message as the sender hands it over: already with its link in. */
export interface Outgoing {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  language: string;
  /** The person's stop link, for a reminder or news (stop.ts): sent as List-Unsubscribe, with one-click POST. */
  unsubscribe?: string;
}

export interface Transport {
  /** Resolves once the message is accepted; rejects with a SendError. */
  send(message: Outgoing): Promise<void>;
  /** Where messages go, in words, for the log and the team's pages. */
  readonly where: string;
  close(): void;
}

/** Why a message did not go, and whether trying again could help (a full mailbox may empty; a refused address will not). */
export class SendError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

const mail = (m: Outgoing) => ({
  from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId,
  headers: { 'Content-Language': m.language, ...(m.unsubscribe ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}) },
  ...(m.unsubscribe ? { list: { unsubscribe: m.unsubscribe } } : {}),
});

/**
 * A mail server, by SMTP_URL: one connection, kept open between messages (a council's server limits them).
 * Timeouts are short: a message that waits is tried again later, not held.
 */
export function smtpTransport(url: string, timeoutMs = 15_000): Transport {
  const smtp = nodemailer.createTransport({ url, pool: true, maxConnections: 1, maxMessages: 500, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    where: `the mail server ${new URL(url).host}`,
    async send(m) {
      try {
        await smtp.sendMail(mail(m));
      } catch (err) {
        throw smtpError(err as Error & { responseCode?: number; code?: string; response?: string });
      }
    },
    close: () => smtp.close(),
  };
}

function smtpError(err: Error & { responseCode?: number; code?: string; response?: string }): SendError {
  const code = err.responseCode;
  if (code && code >= 500) return new SendError(`The mail server refused it (${err.response ?? code}). Check the address; it will not be tried again unless you resend it.`, true);
  if (code) return new SendError(`The mail server asked to try later (${err.response ?? code}).`, false);
  if (err.code === 'ETIMEDOUT') return new SendError('The mail server did not answer in time.', false);
  if (err.code === 'ECONNECTION' || err.code === 'ESOCKET' || err.code === 'EDNS') return new SendError(`The mail server could not be reached (${err.message}).`, false);
  return new SendError(`Sending failed: ${err.message}`, false);
}

/**
 * No mail server (the embedded default, as in the demo): each message becomes a .eml file in `dir`, readable by
 * this user only, for the team to read on the messages page or open in a mail program.
 */
export function folderTransport(dir: string): Transport {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    where: `the folder ${dir}`,
    async send(m) {
      const info = (await stream.sendMail(mail(m))) as { message: Buffer };
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, emlName(m.messageId));
      const temp = `${file}.tmp`;
      fs.writeFileSync(temp, info.message, { mode: 0o600 });
      fs.renameSync(temp, file); // whole or not at all: a retry after a crash writes the same file again
    },
    close: () => stream.close(),
  };
}

/** The file a message's Message-ID is written to: the same on every attempt. */
export const emlName = (messageId: string): string => `${messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9.-]/g, '_')}.eml`;
