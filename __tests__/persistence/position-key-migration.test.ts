/**
 * Migration `20261210000001_position_key_interval` (issue #9 "Inputs"): rows written with the old
 * position keys (`${strategy}_${crypto}_${windowEpoch}[_n]`, no window length) are rewritten to the
 * keys of core/ids `positionKey`, with the client order ids that embed them, and read back through
 * the repository. A database migrated to the previous migration gets old rows through direct SQL,
 * then the rest of the migrations. PGlite by default; PostgreSQL when DATABASE_URL is set, in a
 * schema of its own (the shared test database is already at the latest migration).
 */
import { randomUUID } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { positionKey, positionKeyOfClientOrderId, positionKeySeq } from '../../src/core/ids';
import { MIGRATIONS_DIR, openKnex } from '../../src/persistence/db';
import { KnexRepository } from '../../src/persistence/knex-repository';
import { up as rewriteKeys } from '../../migrations/20261210000001_position_key_interval';
import { usingPostgres } from '../helpers/test-db';

const PREVIOUS = '20261201000001_live_wallet.ts';
const MIGRATION = '20261210000001_position_key_interval.ts';
const E = 1_766_746_800;
const T0 = E * 1000;
const migrations: Knex.MigratorConfig = { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] };
/** The PostgreSQL server's URL ('' on PGlite). */
const PG_URL = process.env['DATABASE_URL'] ?? '';
const schema = `pkmig_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

let db: Knex;
let repo: KnexRepository;

/** Opens an empty database: a fresh schema on PostgreSQL, a fresh in-memory PGlite otherwise. */
async function openEmpty(): Promise<Knex> {
  if (!usingPostgres()) return openKnex({});
  const admin = knex({ client: 'pg', connection: PG_URL });
  await admin.raw(`create schema ${schema}`);
  await admin.destroy();
  return knex({ client: 'pg', connection: PG_URL, searchPath: [schema], migrations });
}

/** Applies migrations one at a time up to and including `name`. */
async function migrateTo(name: string): Promise<void> {
  for (;;) {
    const [done] = (await db.migrate.list(migrations)) as [Array<{ name: string }>, unknown[]];
    if (done.some((m) => m.name === name)) return;
    await db.migrate.up(migrations);
  }
}

/** A positions row as the code before issue #9 wrote it. */
function position(
  run: number,
  key: string,
  strategy: string,
  crypto: string,
  windowSec: number,
  state: string,
) {
  return {
    run_id: run,
    position_key: key,
    strategy,
    crypto,
    window_sec: windowSec,
    window_epoch: E,
    side: 'UP',
    token_id: `${crypto}-${windowSec}-up`,
    state,
    entry_time_ms: T0 + 10_000,
    entry_price: '0.5',
    shares: '10',
    cost_usdc: '5',
    entry_fee_usdc: '0',
    exit_attempts: 0,
    updated_ms: T0 + 10_000,
  };
}

/** An orders row for `clientOrderId` of position `key`. */
function order(run: number, key: string, clientOrderId: string, status: string) {
  const purpose = clientOrderId.endsWith(':entry') ? 'entry' : 'exit';
  return {
    run_id: run,
    client_order_id: clientOrderId,
    position_key: key,
    purpose,
    token_id: 'tok',
    side: purpose === 'entry' ? 'BUY' : 'SELL',
    tif: 'FOK',
    limit_price: '0.5',
    notional: purpose === 'entry' ? '5' : null,
    shares: purpose === 'entry' ? null : '10',
    status,
    created_ms: T0,
    updated_ms: T0,
  };
}

/** A position_events row. */
function event(run: number, seq: number, key: string, type: string, data: Record<string, unknown> = {}) {
  return {
    run_id: run,
    seq,
    position_key: key,
    type,
    from_state: null,
    to_state: null,
    ts_ms: T0 + seq,
    data: JSON.stringify(data),
  };
}

let run1 = 0;
let run2 = 0;

/** Stores rows of two runs in the old key form (and one key already in the new form). */
async function insertOldRows(): Promise<void> {
  const runRow = {
    mode: 'live',
    config_hash: 'h',
    code_revision: 'r',
    input: 'i',
    config: '{}',
    started_at: new Date(T0),
    wallet: '0xabc',
  };
  const ids = (await db('runs').insert([runRow, runRow]).returning('id')) as Array<{ id: string }>;
  [run1, run2] = ids.map((r) => Number(r.id)) as [number, number];
  await db('positions').insert([
    position(run1, 'mom_BTC_1766746800', 'mom', 'BTC', 900, 'OPEN'),
    position(run1, 'mom_BTC_1766746800_2', 'mom', 'BTC', 900, 'CLOSED'),
    position(run1, 'rev_ETH_1766746800', 'rev', 'ETH', 3600, 'EXITING'),
    // written by the new code already: left as it is
    position(run1, 'mom_BTC_5m_1766746800', 'mom', 'BTC', 300, 'OPEN'),
    // the same old key in another run, there a 1h window
    position(run2, 'mom_BTC_1766746800', 'mom', 'BTC', 3600, 'OPEN'),
  ]);
  await db('position_events').insert([
    event(run1, 1, 'mom_BTC_1766746800', 'OPENED'),
    event(run1, 2, 'mom_BTC_1766746800_2', 'CLOSED'),
    event(run1, 3, 'rev_ETH_1766746800', 'RESTORED', {
      state: 'EXITING',
      orderInFlight: 'rev_ETH_1766746800:exit:1.2',
      note: 'rev_ETH_1766746800 is free text, not a quoted key',
    }),
    event(run1, 4, 'reconcile_123', 'RECONCILED', { tokenId: '123' }),
    event(run2, 1, 'mom_BTC_1766746800', 'OPENED'),
  ]);
  await db('orders').insert([
    order(run1, 'mom_BTC_1766746800', 'mom_BTC_1766746800:entry', 'filled'),
    order(run1, 'mom_BTC_1766746800_2', 'mom_BTC_1766746800_2:entry', 'filled'),
    order(run1, 'mom_BTC_1766746800_2', 'mom_BTC_1766746800_2:exit:1.1', 'filled'),
    order(run1, 'rev_ETH_1766746800', 'rev_ETH_1766746800:entry', 'filled'),
    order(run1, 'rev_ETH_1766746800', 'rev_ETH_1766746800:exit:1.2', 'pending'),
    order(run2, 'mom_BTC_1766746800', 'mom_BTC_1766746800:entry', 'filled'),
  ]);
  const fill = (run: number, id: string, key: string) => ({
    run_id: run,
    trade_id: id,
    client_order_id: `${key}:entry`,
    position_key: key,
    price: '0.5',
    shares: '10',
    fee_usdc: '0',
    ts_ms: T0,
  });
  await db('fills').insert([
    fill(run1, 't1', 'mom_BTC_1766746800'),
    fill(run1, 't2', 'rev_ETH_1766746800'),
    fill(run2, 't1', 'mom_BTC_1766746800'),
  ]);
  const attempt = (run: number, clientOrderId: string, hash: string) => ({
    run_id: run,
    client_order_id: clientOrderId,
    venue_order_id: hash,
    signed_ms: T0,
  });
  await db('order_attempts').insert([
    attempt(run1, 'mom_BTC_1766746800:entry', '0x01'),
    attempt(run1, 'rev_ETH_1766746800:exit:1.2', '0x02'),
    attempt(run1, 'unrelated-id', '0x03'),
    attempt(run2, 'mom_BTC_1766746800:entry', '0x01'),
  ]);
}

/** Everything the repository reads back of a run. */
async function snapshot(run: number) {
  return {
    positions: await repo.loadPositions(run),
    events: await repo.loadPositionEvents(run),
    orders: await repo.loadOrders(run),
    fills: await repo.loadFills(run),
    attempts: await repo.loadOrderAttempts(run),
  };
}

beforeAll(async () => {
  db = await openEmpty();
  await migrateTo(PREVIOUS);
  await insertOldRows();
  await db.migrate.latest(migrations);
  repo = new KnexRepository(db);
}, 60_000);

afterAll(async () => {
  await repo.close();
  if (usingPostgres()) {
    const admin = knex({ client: 'pg', connection: PG_URL });
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
});

describe(`migration ${MIGRATION}`, () => {
  it('ran after the previous one', async () => {
    const [done] = (await db.migrate.list(migrations)) as [Array<{ name: string }>, unknown[]];
    const names = done.map((m) => m.name);
    expect(names.indexOf(MIGRATION)).toBeGreaterThan(names.indexOf(PREVIOUS));
  });

  it('rewrites position keys to the per-window form, from each row’s window length', async () => {
    const { positions } = await snapshot(run1);
    expect(positions.map((p) => p.positionKey)).toEqual([
      'mom_BTC_15m_1766746800',
      'mom_BTC_15m_1766746800_2',
      'mom_BTC_5m_1766746800',
      'rev_ETH_1h_1766746800',
    ]);
    // each is the key the trader builds for its window (so a restart reserves it, issue #4)
    for (const p of positions) {
      const w = { crypto: p.crypto, windowSec: p.windowSec, windowEpoch: p.windowEpoch };
      const n = positionKeySeq(p.positionKey, p.strategy, w);
      expect(n).not.toBeNull();
      expect(positionKey(p.strategy, w, n ?? 1)).toBe(p.positionKey);
    }
    expect((await repo.loadPositions(run2)).map((p) => p.positionKey)).toEqual(['mom_BTC_1h_1766746800']);
  });

  it('rewrites the journal rows and the key quoted in their data; leaves audit keys alone', async () => {
    const { events } = await snapshot(run1);
    expect(events.map((e) => [e.seq, e.positionKey])).toEqual([
      [1, 'mom_BTC_15m_1766746800'],
      [2, 'mom_BTC_15m_1766746800_2'],
      [3, 'rev_ETH_1h_1766746800'],
      [4, 'reconcile_123'],
    ]);
    expect(events[2]?.data).toEqual({
      state: 'EXITING',
      orderInFlight: 'rev_ETH_1h_1766746800:exit:1.2',
      note: 'rev_ETH_1766746800 is free text, not a quoted key',
    });
    expect(events[3]?.data).toEqual({ tokenId: '123' });
    expect((await repo.loadPositionEvents(run2)).map((e) => e.positionKey)).toEqual([
      'mom_BTC_1h_1766746800',
    ]);
  });

  it('rewrites client order ids of orders, fills and order attempts with their key', async () => {
    const { orders, fills, attempts } = await snapshot(run1);
    expect(orders.map((o) => [o.clientOrderId, o.positionKey, o.status]).sort()).toEqual([
      ['mom_BTC_15m_1766746800:entry', 'mom_BTC_15m_1766746800', 'filled'],
      ['mom_BTC_15m_1766746800_2:entry', 'mom_BTC_15m_1766746800_2', 'filled'],
      ['mom_BTC_15m_1766746800_2:exit:1.1', 'mom_BTC_15m_1766746800_2', 'filled'],
      ['rev_ETH_1h_1766746800:entry', 'rev_ETH_1h_1766746800', 'filled'],
      ['rev_ETH_1h_1766746800:exit:1.2', 'rev_ETH_1h_1766746800', 'pending'],
    ]);
    for (const o of orders) expect(positionKeyOfClientOrderId(o.clientOrderId)).toBe(o.positionKey);
    expect(fills.map((f) => [f.tradeId, f.clientOrderId, f.positionKey])).toEqual([
      ['t1', 'mom_BTC_15m_1766746800:entry', 'mom_BTC_15m_1766746800'],
      ['t2', 'rev_ETH_1h_1766746800:entry', 'rev_ETH_1h_1766746800'],
    ]);
    expect(attempts.map((a) => [a.clientOrderId, a.venueOrderId])).toEqual([
      ['mom_BTC_15m_1766746800:entry', '0x01'],
      ['rev_ETH_1h_1766746800:exit:1.2', '0x02'],
      ['unrelated-id', '0x03'],
    ]);
    const other = await snapshot(run2);
    expect(other.orders.map((o) => o.clientOrderId)).toEqual(['mom_BTC_1h_1766746800:entry']);
    expect(other.fills.map((f) => f.clientOrderId)).toEqual(['mom_BTC_1h_1766746800:entry']);
    expect(other.attempts.map((a) => a.clientOrderId)).toEqual(['mom_BTC_1h_1766746800:entry']);
  });

  it('is idempotent: running it again changes nothing', async () => {
    const before = [await snapshot(run1), await snapshot(run2)];
    await db.transaction((trx) => rewriteKeys(trx));
    expect([await snapshot(run1), await snapshot(run2)]).toEqual(before);
  });
});
