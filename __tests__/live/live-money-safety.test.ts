/**
 * Money-safety defects of the live loop (issue #8 points 2, 6, 9, 11), each on real parts: the
 * official client posting to the local exchange, settlement and reads on a local EVM.
 */
import { windowEndMs } from '../../src/core/types';
import { startVenueStack, type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { Wallet } from 'ethers';
import { redeemWinnings } from '../../src/chain/redeem';
import type { LiveChain } from '../../src/live/live-session';
import { setupLive, sleep, tickOf, type LiveEnv } from '../helpers/live-harness';

jest.setTimeout(90_000);

let stack: VenueStack;
beforeAll(async () => {
  stack = await startVenueStack({ input: syntheticRows(5, 20), manual: true, rtdsInput: null });
  stack.exchange.step(3);
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  stack.exchange.clob.faults.reset();
});

/** Enters on market `i`, then closes the position at its window's end (held to resolution). */
async function enterAndExpire(env: LiveEnv, i: number): Promise<void> {
  env.session.onTick(tickOf(stack, i));
  await env.settle();
  expect(env.session.trader.openPositions().map((p) => p.state)).toEqual(['OPEN']);
  await stack.ledger.idle();
  const t = tickOf(stack, i);
  env.session.onTick({ ...t, tsMs: windowEndMs(t.window) + 1_000 });
  await env.settle();
  expect(env.session.trader.openPositions()).toEqual([]);
}

describe('live money safety (issue #8)', () => {
  it('point 2: a funder that cannot redeem: resolved tokens are tracked once, never re-adopted or paid again', async () => {
    const env = await setupLive(stack, { noRedeem: true, markets: () => [stack.markets[0]!] });
    await enterAndExpire(env, 0);
    await stack.resolve(stack.markets[0]!.window, 'UP');
    await env.session.flush();
    const pnlAfterClose = env.session.trader.risk.dayPnlMicros;
    const positionsAfterClose = (await env.repo.loadPositions(env.runId)).length;
    for (let pass = 0; pass < 3; pass++) {
      await env.session.poll();
      await env.session.reconcileOnce();
      await env.session.poll();
    }
    await env.session.flush();
    expect(env.session.stats.adopted).toBe(0);
    expect(env.session.stats.unredeemable).toBe(1);
    expect(env.session.trader.risk.dayPnlMicros).toBe(pnlAfterClose);
    expect((await env.repo.loadPositions(env.runId)).length).toBe(positionsAfterClose);
    // the tokens are still the funder's (its wallet redeems them)
    expect(await env.upBalance()).toBeGreaterThan(0n);
  });

  it('point 9: the daily loss limit is derived from the journal on restart', async () => {
    const env = await setupLive(stack, { markets: () => [stack.markets[1]!] });
    env.session.onTick(tickOf(stack, 1));
    await env.settle();
    await stack.ledger.idle();
    env.session.flatten();
    await env.settle();
    // flatten keeps selling on every tick (retries are timed on the ticks' clock)
    for (let i = 1; i <= 20 && env.session.trader.openPositions().length > 0; i++) {
      await sleep(200);
      const t = tickOf(stack, 1);
      env.session.onTick({ ...t, tsMs: t.tsMs + i * 5_000 });
      await env.settle();
    }
    expect(env.session.trader.openPositions()).toEqual([]);
    await env.session.flush();
    const pnl = env.session.trader.risk.dayPnlMicros;
    expect(pnl).not.toBe(0);
    const again = await setupLive(stack, {
      repo: env.repo,
      runId: env.runId,
      wallet: env.wallet,
      markets: () => [stack.markets[1]!],
    });
    expect(again.session.trader.risk.dayPnlMicros).toBe(0);
    await again.session.restore();
    expect(again.session.trader.risk.dayPnlMicros).toBe(pnl);
  });

  it('point 11: a position restored seconds after its fill is not closed as missing while its fill settles', async () => {
    const env = await setupLive(stack, {
      config: { SETTLEMENT_GRACE_MS: 60_000 },
      markets: () => [stack.markets[2]!],
    });
    stack.exchange.clob.faults.settlementDelayMs = 3_000;
    env.session.onTick(tickOf(stack, 2));
    await env.settle();
    await env.session.flush();
    expect(env.session.trader.openPositions().map((p) => p.state)).toEqual(['OPEN']);
    // a restart right after the fill: the chain does not hold the tokens yet
    const again = await setupLive(stack, {
      repo: env.repo,
      runId: env.runId,
      wallet: env.wallet,
      config: { SETTLEMENT_GRACE_MS: 60_000 },
      markets: () => [stack.markets[2]!],
    });
    await again.session.restore();
    expect(await again.upBalance()).toBe(0n);
    expect(await again.session.reconcileOnce()).toEqual([]);
    expect(again.session.trader.openPositions().map((p) => p.state)).toEqual(['OPEN']);
    await stack.ledger.idle();
  });

  it('point 7: the payout recorded is what the redeem transaction paid, not the prediction', async () => {
    const m = stack.markets[3]!;
    let wallet: Wallet | null = null;
    // a redeem with a collateral the position ids were not split from: the CTF burns nothing, pays 0
    const wrongCollateral = (c: LiveChain): LiveChain => ({
      ...c,
      redeem: (conditionId) =>
        redeemWinnings({
          wallet: wallet!,
          ctf: stack.chain.deployment.conditionalTokens,
          collateral: Wallet.createRandom().address,
          conditionId,
          rpcUrl: stack.chain.rpcUrl,
        }),
    });
    const env = await setupLive(stack, { chain: wrongCollateral, markets: () => [m] });
    wallet = env.wallet;
    await enterAndExpire(env, 3);
    await stack.resolve(m.window, 'UP');
    for (let i = 0; i < 20 && env.session.pendingRedeems() > 0; i++) {
      await env.session.pollWindows();
      await sleep(100);
    }
    await env.session.flush();
    const redeemed = (await env.repo.loadPositionEvents(env.runId)).filter((e) => e.type === 'REDEEMED');
    expect(redeemed).toHaveLength(1);
    expect(Number(redeemed[0]!.data['predictedMicros'])).toBeGreaterThan(0);
    expect(redeemed[0]!.data['proceeds']).toBe(0);
    const [pos] = await env.repo.loadPositions(env.runId);
    expect(pos?.proceedsUsdc).toBe(0);
    expect(env.session.stats.redeemed).toBe(0);
  });

  it('point 8: a market the trader cannot handle is not traded, with one log line', async () => {
    const m = stack.markets[4]!;
    const env = await setupLive(stack, {
      markets: () => [m],
      checkMarket: async () => 'market is neg-risk: not traded',
    });
    const posts = stack.exchange.clob.orderPosts;
    env.session.addMarket(m);
    await env.session.marketsChecked();
    env.session.onTick(tickOf(stack, 4));
    await env.settle();
    expect(env.session.stats.marketsRefused).toBe(1);
    expect(env.session.trader.openPositions()).toEqual([]);
    expect(stack.exchange.clob.orderPosts).toBe(posts);
  });

  it('point 6: a hung chain read bounds its lane and never blocks the other one', async () => {
    let hang = false;
    const slow = (c: LiveChain): LiveChain => ({
      ...c,
      payout: (id) => (hang ? new Promise(() => undefined) : c.payout(id)),
    });
    const env = await setupLive(stack, { chain: slow, markets: () => [stack.markets[0]!] });
    env.session.onTick(tickOf(stack, 0));
    await env.settle();
    expect(env.session.trader.openPositions().map((p) => p.state)).toEqual(['OPEN']);
    hang = true;
    // held to the window's end: closed at expiry and queued for redeem (the window lane reads the payout)
    const t = tickOf(stack, 0);
    env.session.onTick({ ...t, tsMs: windowEndMs(t.window) + 1_000 });
    await env.session.settled();
    expect(env.session.pendingRedeems()).toBe(1);
    const windows = env.session.pollWindows();
    const orders = await Promise.race([
      env.session.pollOrders().then(() => 'done'),
      sleep(1_500).then(() => 'hung'),
    ]);
    expect(orders).toBe('done');
    const lane = await Promise.race([windows.then(() => 'done'), sleep(8_000).then(() => 'hung')]);
    expect(lane).toBe('done');
    expect(env.session.stats.timeouts).toBeGreaterThanOrEqual(1);
  });
});
