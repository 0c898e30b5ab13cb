/**
 * Opens the knex instance behind the repository: PostgreSQL through `pg` when a URL is given,
 * else embedded PGlite through knex-pglite (toolchain-notes §2), with the same result types.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

/** Absolute path of the repository's `migrations/` directory (works under tsx and jest). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** Where the database lives. */
export interface OpenKnexOptions {
  /** `postgres://user@host:port/db`: use PostgreSQL through `pg`. Wins over `dataDir`. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory (created with its parents); in-memory PGlite when omitted. */
  readonly dataDir?: string | undefined;
}

/** Arbitrary 64-bit key of the PostgreSQL advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_305_117_001;

const migrationsConfig: Knex.MigratorConfig = {
  directory: MIGRATIONS_DIR,
  loadExtensions: ['.ts'],
};

/**
 * Returns a knex instance for PostgreSQL (`databaseUrl`) or embedded PGlite (`dataDir`, or in
 * memory). On PGlite, int8 columns and `count(*)` come back as strings, as with `pg`, so callers
 * see identical result types on both backends (int8 → string, numeric → string, jsonb → object,
 * timestamptz → Date). No connection is made until the first query.
 * @throws {Error} from `mkdirSync` when the data directory cannot be created.
 */
export function openKnex(opts: OpenKnexOptions): Knex {
  if (opts.databaseUrl !== undefined && opts.databaseUrl !== '') {
    return knex({
      client: 'pg',
      connection: opts.databaseUrl,
      pool: { min: 0, max: 10 },
      migrations: migrationsConfig,
    });
  }
  const dataDir = opts.dataDir;
  if (dataDir !== undefined) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const parsers = { [types.INT8]: (x: string): string => x };
  const pglite = dataDir === undefined ? new PGlite({ parsers }) : new PGlite(dataDir, { parsers });
  // knex-pglite reads `{ pglite }` from the connection provider; knex's connection types do not
  // know that key, hence the cast (no `any` needed).
  const connection = (() => ({ pglite })) as unknown as Knex.ConnectionConfigProvider;
  return knex({ client: ClientPgLite, connection, migrations: migrationsConfig });
}

/** Returns true when `db` talks to embedded PGlite (one connection, one process). */
export function isPgLite(db: Knex): boolean {
  return db.client instanceof ClientPgLite;
}

/**
 * Applies pending migrations from {@link MIGRATIONS_DIR}. On PostgreSQL, concurrent callers
 * (e.g. parallel test workers sharing one database) are serialised with an advisory lock, so
 * knex's own "migration table is already locked" error does not surface.
 * @throws the driver's error when a migration fails; knex's error when the directory is corrupt.
 */
export async function migrateLatest(db: Knex): Promise<void> {
  if (isPgLite(db)) {
    await db.migrate.latest(migrationsConfig);
    return;
  }
  // The transaction holds one pooled connection with the lock; knex migrates on another.
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [MIGRATION_LOCK_KEY]);
    await db.migrate.latest(migrationsConfig);
  });
}
