/**
 * Test database helper: PostgreSQL when `DATABASE_URL` is set (migrated; tests share the database,
 * so they must key everything by their own run id and not assume empty tables), else a fresh
 * in-memory PGlite (about 3 s to open: open once per suite, in `beforeAll`).
 */
import { openRepository } from '../../src/persistence/open-repository';
import type { Repository } from '../../src/persistence/repository';

/** Returns true when tests run against the PostgreSQL server named by `DATABASE_URL`. */
export function usingPostgres(): boolean {
  const url = process.env['DATABASE_URL'];
  return url !== undefined && url !== '';
}

/**
 * Returns a migrated knex repository for a test suite; close it in `afterAll`.
 * @throws the driver's error when `DATABASE_URL` is set but the server cannot be reached.
 */
export async function openTestRepository(): Promise<Repository> {
  return openRepository({ databaseUrl: usingPostgres() ? process.env['DATABASE_URL'] : undefined });
}
