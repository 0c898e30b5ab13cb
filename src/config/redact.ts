import { createHash } from 'node:crypto';
import type { Config } from './schema';

/**
 * Returns the config with secrets replaced (the password of DATABASE_URL), safe to log or store
 * in the runs table.
 */
export function redactConfig(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg };
  if (cfg.DATABASE_URL !== '')
    out.DATABASE_URL = cfg.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return out;
}

/**
 * Returns a SHA-256 hex hash of the settings that change trading results (everything but where
 * data is read from and written to), with keys sorted, so equal configs hash equal.
 */
export function configHash(cfg: Config): string {
  const skip = new Set([
    'DATABASE_URL',
    'DATA_DIR',
    'REPLAY_INPUT',
    'OUT_PATH',
    'LOG_LEVEL',
    'PERSIST_TICKS',
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
