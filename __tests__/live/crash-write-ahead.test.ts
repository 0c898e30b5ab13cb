/**
 * The write-ahead refusals of the live loop (issue #9): when the journal cannot be written, or the
 * signed attempt cannot be stored (`beforePost` rejects), no order leaves — the exchange's POST
 * count does not move — the position is not lost (a restarted session restores it and reconciles
 * with 0 discrepancies), and the user sees one line at warn/error. The real `ClobVenue` posting to
 * the local exchange (settling on a local EVM), a `LiveSession` over a memory repository whose
 * writes can be made to fail.
 */
import pino from 'pino';
import type { VenueStack } from '../../testkit/exchange-local/venue-stack';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import type { OrderAttemptRecord, OrderRecord, PositionRecord } from '../../src/persistence/records';
import { setupLive, tickOf, type LiveEnv } from '../helpers/live-harness';
import { deepVenueStack } from '../helpers/stacks';
import { waitFor } from '../helpers/wait-for';

/** A memory repository whose journal writes or attempt inserts fail on demand. */
class FlakyRepository extends MemoryRepository {
  failJournal = false;
  failAttempts = false;
  override async upsertPositions(runId: number, positions: readonly PositionRecord[]): Promise<void> {
    if (this.failJournal) throw new Error('connection terminated unexpectedly');
    return super.upsertPositions(runId, positions);
  }
  override async upsertOrders(runId: number, orders: readonly OrderRecord[]): Promise<void> {
    if (this.failJournal) throw new Error('connection terminated unexpectedly');
    return super.upsertOrders(runId, orders);
  }
  override async insertOrderAttempts(runId: number, attempts: readonly OrderAttemptRecord[]): Promise<void> {
    if (this.failAttempts) throw new Error('connection terminated unexpectedly');
    return super.insertOrderAttempts(runId, attempts);
  }
}

/** Log lines at warn (40) or above. */
interface Line {
  level: number;
  msg: string;
}

let stack: VenueStack;

beforeAll(async () => {
  stack = await deepVenueStack();
  stack.exchange.step(3);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** A session on `repo` whose warn/error lines land in the returned array. */
async function live(repo: FlakyRepository, from?: LiveEnv): Promise<{ env: LiveEnv; lines: Line[] }> {
  const lines: Line[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const env = await setupLive(stack, {
    repo,
    log,
    ...(from === undefined ? {} : { runId: from.runId, wallet: from.wallet }),
  });
  return { env, lines };
}

/** An OPEN position, journaled. */
async function opened(repo: FlakyRepository): Promise<{ env: LiveEnv; lines: Line[]; key: string }> {
  const r = await live(repo);
  r.env.session.onTick(tickOf(stack));
  await r.env.settle();
  await r.env.session.flush();
  const open = r.env.session.trader.openPositions();
  expect(open.map((p) => p.state)).toEqual(['OPEN']);
  // the exchange settles the fill on chain after answering it
  const shares = BigInt(open[0]!.shares);
  await waitFor(async () => (await r.env.upBalance()) >= shares, 15_000, { what: 'the fill on chain' });
  return { ...r, key: open[0]!.key };
}

/** Restarts on the same run: the position is restored and the chain agrees (0 discrepancies). */
async function expectRestored(repo: FlakyRepository, env: LiveEnv, key: string): Promise<void> {
  const again = await live(repo, env);
  expect(await again.env.session.restore()).toBe(1);
  const p = again.env.session.trader.position(key);
  // OPEN, or EXITING between attempts (the exit is tried again on the next tick): nothing in flight
  expect(['OPEN', 'EXITING']).toContain(p?.state);
  expect(p?.openOrderId).toBeNull();
  expect(BigInt(p!.shares)).toBe(await again.env.upBalance());
  expect(await again.env.session.reconcileOnce()).toEqual([]);
}

const posts = (): number => stack.exchange.clob.orderPosts;

test('the journal write fails before an entry: no order leaves, one error line, nothing journaled as sent', async () => {
  const repo = new FlakyRepository();
  const { env, lines } = await live(repo);
  const before = posts();
  repo.failJournal = true;
  env.session.onTick(tickOf(stack));
  await env.session.settled();
  await env.venue.idle();
  expect(posts()).toBe(before);
  expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'journal write failed: orders not sent']]);
  // the entry failed (never sent); once the database is back, the journal says so
  repo.failJournal = false;
  await env.session.flush();
  const stored = await repo.loadPositions(env.runId);
  expect(stored.map((p) => [p.state, p.shares])).toEqual([['CLOSED', 0]]);
  expect(await repo.loadOrderAttempts(env.runId)).toEqual([]);
});

test('the journal write fails before an exit: no SELL leaves, one error line, the restart restores the position', async () => {
  const repo = new FlakyRepository();
  const { env, lines, key } = await opened(repo);
  const before = posts();
  repo.failJournal = true;
  env.session.flatten();
  await env.session.settled();
  await env.venue.idle();
  expect(posts()).toBe(before);
  expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'journal write failed: orders not sent']]);
  expect(env.session.trader.position(key)?.state).not.toBe('CLOSED'); // the exit waits, nothing sold
  // the database is back: the next flush writes what the failed one held (no event lost)
  repo.failJournal = false;
  await env.session.flush();
  const events = await repo.loadPositionEvents(env.runId);
  expect(events.filter((e) => e.positionKey === key).map((e) => e.type)).toEqual(
    expect.arrayContaining(['OPENED', 'EXIT_FIRED', 'EXIT_FAILED']),
  );
  await expectRestored(repo, env, key);
});

test('storing the attempt fails before an entry: no order leaves, one error line', async () => {
  const repo = new FlakyRepository();
  const { env, lines } = await live(repo);
  const before = posts();
  repo.failAttempts = true;
  env.session.onTick(tickOf(stack));
  await env.session.settled();
  await env.venue.idle();
  await env.session.settled();
  expect(posts()).toBe(before);
  expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'order attempt not stored: order not sent']]);
  expect(env.session.trader.openPositions()).toEqual([]);
  expect(await repo.loadOrderAttempts(env.runId)).toEqual([]);
});

test('storing the attempt fails before an exit: no SELL leaves, one error line, the restart restores the position', async () => {
  const repo = new FlakyRepository();
  const { env, lines, key } = await opened(repo);
  const before = posts();
  repo.failAttempts = true;
  env.session.flatten();
  await env.session.settled();
  await env.venue.idle();
  await env.session.settled();
  expect(posts()).toBe(before);
  expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'order attempt not stored: order not sent']]);
  expect(env.session.trader.position(key)?.state).not.toBe('CLOSED');
  await env.session.flush();
  repo.failAttempts = false;
  await expectRestored(repo, env, key);
});
