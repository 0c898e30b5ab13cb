/**
 * Test database helpers.
 *
 * - {@link openTestRepository}: PostgreSQL when `DATABASE_URL` is set (migrated; tests share the
 *   database, so they must key everything by their own run id and not assume empty tables), else a
 *   fresh in-memory PGlite (about 3 s to open: open once per suite, in `beforeAll`).
 * - {@link pgServer} / {@link itWithServer} / {@link describeWithServer}: for tests that need a
 *   PostgreSQL *server* whatever `DATABASE_URL` says (two sessions, kill -9 durability). The server
 *   is `DATABASE_URL` when set, else `TEST_PG_SERVER`, else `postgres://postgres@127.0.0.1:5432/postgres`;
 *   it is probed once per test file (TCP connect, 2 s timeout). When it cannot be reached — or
 *   `TEST_PG_SERVER=off` — those tests are skipped with the reason in their title (issue #9: a
 *   plain `npm test` passes with no server). `.ci/run` runs both passes with a server up.
 */
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
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

/** The default server of {@link pgServer}: the local cluster `.ci/run` starts. */
export const DEFAULT_PG_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A reachable server (`url` names a database on it), or why there is none. */
export type PgServer = { readonly url: string } | { readonly reason: string };

let probed: PgServer | undefined;

/** `host:port` of a postgres URL, without credentials (safe for a test title). */
function hostPort(url: URL): string {
  return `${url.hostname}:${url.port === '' ? '5432' : url.port}`;
}

/**
 * Returns the PostgreSQL server for server-only tests, or the reason there is none (see the file
 * comment). Synchronous, so a test file can decide `it` or `it.skip` when it is loaded.
 */
export function pgServer(): PgServer {
  if (probed !== undefined) return probed;
  const setting = process.env['TEST_PG_SERVER'] ?? '';
  if (setting.toLowerCase() === 'off') return (probed = { reason: 'TEST_PG_SERVER=off' });
  const raw = usingPostgres() ? process.env['DATABASE_URL']! : setting !== '' ? setting : DEFAULT_PG_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return (probed = { reason: 'the PostgreSQL server URL is not a URL' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 5432 : Number(url.port);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s=require('net').connect(${port},${JSON.stringify(host)});` +
        `s.setTimeout(2000,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`,
    ],
    { timeout: 5000, stdio: 'ignore' },
  );
  probed =
    probe.status === 0
      ? { url: raw }
      : { reason: `no PostgreSQL server at ${hostPort(url)} (TEST_PG_SERVER / DATABASE_URL)` };
  return probed;
}

/** `it` with the server's URL when there is a server; else `it.skip` with the reason in the title. */
export function itWithServer(
  title: string,
  fn: (serverUrl: string) => Promise<void>,
  timeoutMs?: number,
): void {
  const s = pgServer();
  if ('url' in s) it(title, () => fn(s.url), timeoutMs);
  else it.skip(`${title} — skipped: ${s.reason}`, () => undefined);
}

/** `describe` when there is a server; else `describe.skip` with the reason in the title. */
export function describeWithServer(title: string, fn: (serverUrl: string) => void): void {
  const s = pgServer();
  if ('url' in s) describe(title, () => fn(s.url));
  else describe.skip(`${title} — skipped: ${s.reason}`, () => fn(''));
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates a fresh database on the server of `serverUrl` and returns its URL and a `drop` that
 * removes it (forcing out leftover sessions). Name: `prefix` + pid + time, so parallel runs never meet.
 */
export async function createServerDatabase(
  serverUrl: string,
  prefix = 'updown_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  return {
    url: withDatabase(serverUrl, name),
    drop: () => admin(`drop database if exists "${name}" with (force)`),
  };
}
