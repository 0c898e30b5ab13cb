/**
 * One process per embedded database (issue #8 point 10): PGlite is a single-process database, and
 * two processes that open the same data directory corrupt it (seen: two traders opened one
 * directory at once, each taking its own in-process wallet lock). Every command that opens a
 * PGlite directory first takes an exclusive lock on it with `proper-lockfile` (a `<dir>.lock`
 * directory created atomically, its mtime refreshed while held). A lock left by a process killed
 * with kill -9 goes stale after {@link STALE_MS} and is then taken over, so a restart after a crash
 * waits at most that long. PostgreSQL needs no such lock: it serves many processes, and the
 * wallet advisory lock (`wallet-lock.ts`) keeps one trader per wallet there.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError } from '../core/errors';

/** A lock refreshed less recently than this is a dead holder's and may be taken over, ms. */
export const STALE_MS = 10_000;
/** How long a second process waits for the lock before it is refused, ms (> STALE_MS). */
export const WAIT_MS = 12_000;

/** A held data-directory lock. */
export interface DataDirLock {
  /** The absolute directory locked. */
  readonly dir: string;
  /** Releases the lock; idempotent, never throws. */
  release(): Promise<void>;
}

/**
 * Takes the exclusive lock of `dataDir` (created with its parents), waiting up to
 * {@link WAIT_MS} for a dead holder's lock to go stale. `onCompromised` receives one line when
 * the lock's refresh failed or came too late (default: `process.emitWarning`).
 * @throws {ConfigError} naming the directory when another live process holds it.
 */
export async function lockDataDir(
  dataDir: string,
  onCompromised?: (message: string) => void,
): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  onCompromised ??= (m) => process.emitWarning(m);
  mkdirSync(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      stale: STALE_MS,
      update: 2_000,
      realpath: false,
      retries: { retries: Math.ceil(WAIT_MS / 500), minTimeout: 500, maxTimeout: 500, factor: 1 },
      // The library's default throws from a timer (a crash). A refresh that came late (a long
      // synchronous stretch) is reported instead; the directory stays in use by this process.
      onCompromised: (err) =>
        onCompromised?.(`the lock of data directory ${dir} was compromised: ${err.message}`),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED')
      throw new ConfigError(
        `data directory ${dir} is in use by another running process (embedded database): stop it, or set DATA_DIR to another directory, or DATABASE_URL to a PostgreSQL server`,
        { cause: err },
      );
    throw err;
  }
  let released = false;
  return {
    dir,
    release: async () => {
      if (released) return;
      released = true;
      await release().catch(() => undefined);
    },
  };
}
