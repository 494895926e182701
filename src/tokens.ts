import crypto from 'node:crypto';

/** Hex SHA-256: how tokens are stored, and how published files are fingerprinted. */
export const sha256 = (data: string | Buffer): string => crypto.createHash('sha256').update(data).digest('hex');

/** A random secret for a link or a cookie (256 bits, URL-safe). */
export const newToken = (): string => crypto.randomBytes(32).toString('base64url');
