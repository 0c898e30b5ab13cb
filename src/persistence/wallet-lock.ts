/**
 * Only one trader may own a wallet (issue #4): a PostgreSQL session advisory lock keyed by the
 * wallet address, held on a dedicated connection for the life of the trader. A second instance
 * gets `null` and must refuse to trade. Embedded PGlite (one process owns the data directory, over
 * a single connection) and the memory repository take an in-process lock instead, which guards
 * against two traders in one process.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isPgLite } from './db';

/** A held wallet lock. */
export interface WalletLock {
  /** The lowercase address the lock is for. */
  readonly address: string;
  /** Releases the lock and its connection. */
  release(): Promise<void>;
}

/** The signed 64-bit advisory-lock key of an address (SHA-256 of the lowercase address). */
export function walletLockKey(address: string): string {
  const h = createHash('sha256').update(`updown-trader:wallet:${address.toLowerCase()}`).digest();
  return h.readBigInt64BE(0).toString();
}

/**
 * Tries to take the wallet's lock without waiting. Returns the lock, or `null` when another
 * session holds it.
 * @throws the driver's error when the database cannot be reached.
 */
export async function tryLockWallet(db: Knex, address: string): Promise<WalletLock | null> {
  // PGlite's only connection is the session: holding it out of the pool would starve every query
  if (isPgLite(db)) return tryLockInProcess(address);
  const key = walletLockKey(address);
  // a session lock lives on one connection: take one out of the pool and keep it
  const conn: unknown = await db.client.acquireConnection();
  const run = async (sql: string): Promise<boolean> => {
    const res = (await db.raw(sql, [key]).connection(conn)) as { rows: { ok: boolean }[] };
    return res.rows[0]?.ok === true;
  };
  let ok = false;
  try {
    ok = await run('select pg_try_advisory_lock(?::bigint) as ok');
  } finally {
    if (!ok) await db.client.releaseConnection(conn);
  }
  if (!ok) return null;
  return {
    address: address.toLowerCase(),
    release: async () => {
      try {
        await run('select pg_advisory_unlock(?::bigint) as ok');
      } finally {
        await db.client.releaseConnection(conn);
      }
    },
  };
}

/** Addresses locked in this process (PGlite and memory repositories). */
const HELD_IN_PROCESS = new Set<string>();

/** Takes an in-process lock on the address; `null` when this process holds it already. */
export function tryLockInProcess(address: string): WalletLock | null {
  const a = address.toLowerCase();
  if (HELD_IN_PROCESS.has(a)) return null;
  HELD_IN_PROCESS.add(a);
  return {
    address: a,
    release: async () => {
      HELD_IN_PROCESS.delete(a);
    },
  };
}
