/** Composition helper: opens the database, migrates it and wraps it in a {@link KnexRepository}. */
import { lockDataDir } from './data-dir-lock';
import { openKnex, type OpenKnexOptions } from './db';
import { KnexRepository } from './knex-repository';
import type { Repository } from './repository';

/**
 * Returns a migrated repository on PostgreSQL (`databaseUrl`) or embedded PGlite (`dataDir`, or
 * in memory when both are omitted). The caller owns it and must `close()` it. A PGlite data
 * directory is locked for this process first (issue #8 point 10, `data-dir-lock.ts`); `close()`
 * releases it.
 * @throws {ConfigError} when another process holds the data directory.
 * @throws the driver's error when the database cannot be reached or a migration fails (the
 * connection is closed first).
 */
export async function openRepository(opts: OpenKnexOptions): Promise<Repository> {
  const usesDir = (opts.databaseUrl === undefined || opts.databaseUrl === '') && opts.dataDir !== undefined;
  const lock = usesDir && opts.dataDir !== undefined ? await lockDataDir(opts.dataDir) : null;
  let repo: KnexRepository;
  try {
    repo = new KnexRepository(openKnex(opts), lock === null ? undefined : () => lock.release());
  } catch (err) {
    await lock?.release();
    throw err;
  }
  try {
    await repo.migrate();
  } catch (err) {
    await repo.close().catch(() => undefined);
    throw err;
  }
  return repo;
}
