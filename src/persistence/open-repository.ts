/** Composition helper: opens the database, migrates it and wraps it in a {@link KnexRepository}. */
import { openKnex, type OpenKnexOptions } from './db';
import { KnexRepository } from './knex-repository';
import type { Repository } from './repository';

/**
 * Returns a migrated repository on PostgreSQL (`databaseUrl`) or embedded PGlite (`dataDir`, or
 * in memory when both are omitted). The caller owns it and must `close()` it.
 * @throws the driver's error when the database cannot be reached or a migration fails (the
 * connection is closed first).
 */
export async function openRepository(opts: OpenKnexOptions): Promise<Repository> {
  const repo = new KnexRepository(openKnex(opts));
  try {
    await repo.migrate();
  } catch (err) {
    await repo.close().catch(() => undefined);
    throw err;
  }
  return repo;
}
