/**
 * Structured JSON logs (pino) on stderr, so stdout stays for command output. Secrets are
 * redacted by path (any `privateKey`, `secret`, `passphrase`, `apiKey`, `DATABASE_URL` field).
 */
import pino, { type Logger } from 'pino';

/** Paths pino redacts in every log line. */
export const REDACT_PATHS = [
  'privateKey',
  '*.privateKey',
  'secret',
  '*.secret',
  'passphrase',
  '*.passphrase',
  'apiKey',
  '*.apiKey',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'PRIVATE_KEY',
  '*.PRIVATE_KEY',
  'CLOB_API_SECRET',
  '*.CLOB_API_SECRET',
  'CLOB_API_PASSPHRASE',
  '*.CLOB_API_PASSPHRASE',
  'CLOB_API_KEY',
  '*.CLOB_API_KEY',
];

/** Creates the process logger at `level`, writing JSON lines to stderr (fd 2). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

export type { Logger };
