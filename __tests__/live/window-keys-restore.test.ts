/**
 * Position keys unique per window (issue #9 "Inputs"), on real parts: a 15m and a 1h window of
 * BTC starting at the same second, one strategy entering both through the official client on the
 * local exchange (settled on a local EVM). Two positions with two keys are journaled (knex
 * repository: PGlite, or PostgreSQL when DATABASE_URL is set), and a restarted session restores
 * both, without collision, with 0 discrepancies against the chain. Before the fix both positions
 * had the key `first_BTC_<epoch>`.
 */
import type { TickRow } from '../../src/core/types';
import { startVenueStack, type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import type { Repository } from '../../src/persistence/repository';
import { setupLive, tickOf } from '../helpers/live-harness';
import { openTestRepository } from '../helpers/test-db';

jest.setTimeout(90_000);

/** On the 15m and the 1h grid (490763 h). */
const E = 1_766_746_800;
const KEY_15M = `first_BTC_15m_${E}`;
const KEY_1H = `first_BTC_1h_${E}`;

/** One synthetic window's rows, twice: as a 15m and as a 1h window both starting at `E`. */
function sameStartRows(): TickRow[] {
  return syntheticRows(1, 20).flatMap((r) => {
    const shifted = { ...r, tsMs: r.tsMs - r.windowEpoch * 1000 + E * 1000, windowEpoch: E };
    return [
      { ...shifted, windowSec: 900 },
      { ...shifted, windowSec: 3600 },
    ];
  });
}

let stack: VenueStack;
let repo: Repository;
beforeAll(async () => {
  stack = await startVenueStack({ input: sameStartRows(), manual: true, rtdsInput: null });
  stack.exchange.step(3);
  repo = await openTestRepository();
});
afterAll(async () => {
  await repo.close();
  await stack.close();
});

describe('a 15m and a 1h window starting at the same second', () => {
  it('hold two positions of one strategy, journaled and restored after a restart without collision', async () => {
    expect(stack.markets.map((m) => [m.window.windowSec, m.window.windowEpoch])).toEqual([
      [900, E],
      [3600, E],
    ]);
    const markets = () => stack.markets;
    const env = await setupLive(stack, { repo, markets });
    env.session.onTick(tickOf(stack, 0));
    env.session.onTick(tickOf(stack, 1));
    await env.settle();
    const held = (ps: ReturnType<typeof env.session.trader.openPositions>) =>
      ps.map((p) => [p.key, p.window.windowSec, p.state, p.tokenId]).sort();
    const expected = [
      [KEY_15M, 900, 'OPEN', stack.markets[0]!.upTokenId],
      [KEY_1H, 3600, 'OPEN', stack.markets[1]!.upTokenId],
    ];
    expect(held(env.session.trader.openPositions())).toEqual(expected);
    await env.session.flush();
    await stack.ledger.idle();

    // journaled: one positions row, one entry order and one attempt per window
    const positions = await repo.loadPositions(env.runId);
    expect(positions.map((p) => [p.positionKey, p.windowSec, p.state])).toEqual([
      [KEY_15M, 900, 'OPEN'],
      [KEY_1H, 3600, 'OPEN'],
    ]);
    const orders = await repo.loadOrders(env.runId);
    expect(orders.map((o) => [o.clientOrderId, o.status]).sort()).toEqual([
      [`${KEY_15M}:entry`, 'filled'],
      [`${KEY_1H}:entry`, 'filled'],
    ]);
    const attempts = await repo.loadOrderAttempts(env.runId);
    expect(attempts.map((a) => a.clientOrderId).sort()).toEqual([`${KEY_15M}:entry`, `${KEY_1H}:entry`]);
    // two POSTs reached the exchange, one per window (no re-sent or merged order)
    expect(env.mine().length).toBe(2);

    // a restart on the same run: both come back, each in its own window
    const again = await setupLive(stack, {
      repo,
      runId: env.runId,
      wallet: env.wallet,
      markets,
      journalSeqStart: await repo.maxEventSeq(env.runId),
    });
    expect(await again.session.restore()).toBe(2);
    expect(held(again.session.trader.openPositions())).toEqual(expected);
    expect(await again.session.reconcileOnce()).toEqual([]);
    expect(again.session.stats.adopted).toBe(0);
    await again.session.flush();
    expect(again.session.stats.flushErrors).toBe(0);
    const events = await repo.loadPositionEvents(env.runId);
    const restored = events.filter((e) => e.type === 'RESTORED').map((e) => e.positionKey);
    expect(restored.sort()).toEqual([KEY_15M, KEY_1H]);
    expect(events.some((e) => e.type === 'RECONCILED')).toBe(false);
    expect(env.mine().length).toBe(2);
  });
});
