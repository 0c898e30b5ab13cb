/**
 * Each fault switch of the local CLOB against the live loop (issue #4): the real `ClobVenue`
 * (official client) posting to the local exchange, which settles on a local EVM; the trader's
 * `LiveSession` with chain reads and reconciliation. After every fault: every position ends
 * CLOSED (or never opened), no duplicate sell, no token left unexplained, and a reconciliation
 * pass finds no discrepancy.
 */
import type { ClobFaultStats } from '../../testkit/exchange-local/clob/faults';
import { startVenueStack, type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { setupLive, sleep, tickOf, type LiveEnv } from '../helpers/live-harness';

jest.setTimeout(60_000);

let stack: VenueStack;
beforeAll(async () => {
  stack = await startVenueStack({ input: syntheticRows(1, 20), manual: true, rtdsInput: null });
  stack.exchange.step(3);
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  stack.exchange.clob.faults.reset();
});

const tickNow = () => tickOf(stack);
const setup = () => setupLive(stack);
type Env = LiveEnv;

/**
 * Enters on a tick, then flattens (the kill switch): flatten keeps selling on every tick, and
 * retries after venue-side failures wait out their back-off on the ticks' clock (issue #8), so
 * ticks keep coming, 5 s of venue time apart, while settlement lags.
 */
async function enterAndExit(env: Env, armExit?: () => void): Promise<void> {
  env.session.onTick(tickNow());
  await env.settle();
  armExit?.();
  env.session.flatten();
  await env.settle();
  for (let i = 1; i <= 40 && env.session.trader.openPositions().length > 0; i++) {
    await sleep(150);
    const t = tickNow();
    env.session.onTick({ ...t, tsMs: t.tsMs + i * 5_000 });
    await env.settle();
  }
}

/** The invariants after a fault: closed, one sell at most per position, nothing unexplained. */
async function expectClean(env: Env): Promise<void> {
  expect(env.session.trader.openPositions()).toEqual([]);
  const sells = new Set(
    env
      .mine()
      .filter((t) => t.side === 'SELL')
      .map((t) => t.taker_order_id),
  );
  const buys = new Set(
    env
      .mine()
      .filter((t) => t.side === 'BUY')
      .map((t) => t.taker_order_id),
  );
  expect(sells.size).toBeLessThanOrEqual(buys.size);
  const sold = env
    .mine()
    .filter((t) => t.side === 'SELL')
    .reduce((a, t) => a + Number(t.size), 0);
  const bought = env
    .mine()
    .filter((t) => t.side === 'BUY')
    .reduce((a, t) => a + Number(t.size), 0);
  expect(sold).toBeLessThanOrEqual(bought + 1e-9);
  await sleep(stack.exchange.clob.faults.settlementDelayMs + 100);
  await stack.ledger.idle(); // every fill settled on chain (slow under a loaded machine)
  expect(await env.upBalance()).toBeLessThan(10_000n); // dust below the 0.01-share precision at most
  expect(await env.session.reconcileOnce()).toEqual([]);
  const orders = await env.session.flush().then(() => env.repo.loadOrders(env.runId));
  expect(orders.every((o) => o.status !== 'pending' && o.status !== 'unknown')).toBe(true);
}

describe('live loop under each CLOB fault (issue #4)', () => {
  type Stat = Exclude<keyof ClobFaultStats, 'spellingsServed'>;
  // each fault with the exchange counter that proves its path ran (issue #8 point 12)
  const exitFaults: [string, () => void, Stat][] = [
    ['FOK kill', () => stack.exchange.clob.faults.killNext(), 'killed'],
    ['425', () => stack.exchange.clob.faults.httpErrorNext(425), 'httpErrors'],
    ['429', () => stack.exchange.clob.faults.httpErrorNext(429), 'httpErrors'],
    ['500', () => stack.exchange.clob.faults.httpErrorNext(500), 'httpErrors'],
    ['version mismatch', () => stack.exchange.clob.faults.versionMismatchNext(), 'versionMismatches'],
    ['timeout after a fill', () => stack.exchange.clob.faults.timeoutAfterFillNext(1, 1_000), 'timeouts'],
    ['500 after a fill', () => stack.exchange.clob.faults.errorAfterFillNext(), 'errorsAfterFill'],
    ['a fill without transaction hashes', () => stack.exchange.clob.faults.noTxHashNext(), 'unsettledTrades'],
  ];
  it.each(exitFaults)(
    'exit under %s: fired, closed, one sell, reconciled clean',
    async (_name, arm, stat) => {
      const env = await setup();
      const before = stack.exchange.clob.faults.stats[stat];
      await enterAndExit(env, arm);
      expect(stack.exchange.clob.faults.stats[stat]).toBeGreaterThan(before);
      await expectClean(env);
      const [sell] = env.mine().filter((t) => t.side === 'SELL');
      expect(sell).toBeDefined();
    },
  );

  it('delayed settlement: the sell meets the pending balance, waits, then closes', async () => {
    const env = await setup();
    const st = stack.exchange.clob.faults.stats;
    const before = st.pendingBalanceReads + st.pendingBalanceRefusals;
    stack.exchange.clob.faults.settlementDelayMs = 800;
    await enterAndExit(env);
    expect(st.pendingBalanceReads + st.pendingBalanceRefusals).toBeGreaterThan(before);
    await expectClean(env);
    expect(env.session.trader.stats.exitsDeferred).toBeGreaterThanOrEqual(1);
  });

  it('entry killed: no position, no tokens, nothing to reconcile', async () => {
    const env = await setup();
    stack.exchange.clob.faults.killNext();
    env.session.onTick(tickNow());
    await env.settle();
    expect(env.session.trader.stats.entriesKilled).toBe(1);
    await expectClean(env);
    expect(env.mine()).toEqual([]);
  });

  it('entry timeout after a fill: unknown, resolved by query to OPEN, never re-sent', async () => {
    const env = await setup();
    stack.exchange.clob.faults.timeoutAfterFillNext(1, 1_000);
    const posts = stack.exchange.clob.orderPosts;
    env.session.onTick(tickNow());
    await env.settle();
    await stack.ledger.idle();
    expect(stack.exchange.clob.orderPosts - posts).toBe(1);
    expect(env.session.trader.openPositions().map((p) => p.state)).toEqual(['OPEN']);
    expect(env.session.stats.unknownResolved).toBe(1);
    await enterAndExit(env);
    await expectClean(env);
  });

  it('reconciliation finds an injected mismatch and adopts chain truth with an audit row', async () => {
    const env = await setup();
    env.session.onTick(tickNow());
    await env.settle();
    const [p] = env.session.trader.openPositions();
    expect(p?.state).toBe('OPEN');
    // tokens appear that no order explains (a transfer in): size mismatch
    const extra = 2_000_000n;
    await stack.chain.mintOutcomeTokens(env.address, env.m.conditionId, extra);
    const found = await env.session.reconcileOnce();
    expect(found.map((d) => d.kind).sort()).toEqual(['extra', 'size_mismatch']);
    expect(env.session.stats).toMatchObject({ resized: 1, adopted: 1 });
    expect(env.session.trader.position(p!.key)?.shares).toBe(Number(await env.upBalance()));
    await env.session.flush();
    const audits = (await env.repo.loadPositionEvents(env.runId)).filter((e) => e.type === 'RECONCILED');
    expect(audits.length).toBe(2);
    expect(await env.session.reconcileOnce()).toEqual([]);
  });
});
