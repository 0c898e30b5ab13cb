import { createHash } from 'node:crypto';
import type { Config } from './schema';

/** Settings that hold secrets: never logged, never stored. */
export const SECRET_KEYS = [
  'PRIVATE_KEY',
  'CLOB_API_SECRET',
  'CLOB_API_PASSPHRASE',
  'CLOB_API_KEY',
  // a webhook URL is a credential (e.g. Slack's carry their token in the path)
  'ALERT_WEBHOOK_URL',
] as const;

/**
 * Returns the config with secrets replaced (the key, the API credentials, the password of
 * DATABASE_URL, everything after the host of RPC_URL), safe to log or store in the runs table.
 */
export function redactConfig(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg };
  if (cfg.DATABASE_URL !== '') {
    out.DATABASE_URL = cfg.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  }
  if (cfg.RPC_URL !== '') out.RPC_URL = redactUrl(cfg.RPC_URL);
  for (const k of SECRET_KEYS) if (cfg[k] !== '') out[k] = '[redacted]';
  return out;
}

/**
 * Returns a URL safe to store or log (issue #8 point 13): scheme and host only. JSON-RPC URLs
 * often carry a provider key in the user info, the path (`/v2/<key>`) or the query (`?apikey=`),
 * so everything after the host is replaced by `/[redacted]`. A value that is not a URL becomes
 * `[redacted]`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const rest = u.pathname !== '/' || u.search !== '' || u.username !== '' || u.hash !== '';
    return `${u.protocol}//${u.host}${rest ? '/[redacted]' : ''}`;
  } catch {
    return '[redacted]';
  }
}

/**
 * Returns a SHA-256 hex hash of the settings that change trading results (everything but where
 * data is read from and written to, secrets and confirmations), with keys sorted, so equal
 * configs hash equal.
 */
export function configHash(cfg: Config): string {
  const skip = new Set<string>([
    'DATABASE_URL',
    'DATA_DIR',
    'REPLAY_INPUT',
    'OUT_PATH',
    'LOG_LEVEL',
    'PERSIST_TICKS',
    'LIVE_CONFIRM',
    ...SECRET_KEYS,
  ]);
  const relevant = Object.fromEntries(Object.entries(cfg).filter(([k]) => !skip.has(k)));
  return createHash('sha256').update(stableJson(relevant)).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
