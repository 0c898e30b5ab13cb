/**
 * A stuck exit while settlement lags (the rehearsal's duplicate sell of stop 17, fixed in
 * `stuck-orders.ts`): an exit unanswered past POSITION_LOCK_TIMEOUT_MS whose shares the chain still
 * shows — the exchange settles on chain after answering — is not re-sent until the settlement
 * grace has passed since the exit was signed; after it, "every share still held" means unsold and
 * the round goes on. A unit test of the pass with our own ports faked (the live path is rehearsed
 * by `npm run rehearse`).
 */
import type { VenueEvent } from '../../src/core/types';
import type { LiveChain, LiveVenue } from '../../src/live/ports';
import { FillTimes } from '../../src/live/fill-times';
import { newLiveStats } from '../../src/live/live-stats';
import type { RedeemQueue } from '../../src/live/redeem-queue';
import { settleStuck } from '../../src/live/stuck-orders';
import { LiveTrader } from '../../src/trader/live-trader';
import { newPosition } from '../../src/trader/position';
import { testConfig } from '../helpers/scenario';

const W = { crypto: 'BTC', windowSec: 900, windowEpoch: 1766745000 };
const TOKEN = '123456';
const GRACE = 30_000;
const SIGNED = 1_000_000; // wall ms the exit was signed
const ORDER = 'p_BTC_15m_1766745000:exit:1.1';

/** A trader holding one EXITING position (10 shares) whose exit is in flight and past the lock timeout. */
function stuckTrader(): LiveTrader {
  const t = new LiveTrader(testConfig({ POSITION_LOCK_TIMEOUT_MS: 5_000 }), []);
  const p = newPosition('p_BTC_15m_1766745000', 'p', W, 'UP', TOKEN, 0);
  Object.assign(p, { state: 'EXITING', entryTimeMs: 0, entryPrice: 500_000, shares: 10_000_000 });
  Object.assign(p, {
    costUsdc: 5_000_000,
    highWaterMark: 500_000,
    exitReason: 'stop_loss',
    exitingSinceMs: 0,
  });
  t.restore(
    p,
    {
      clientOrderId: ORDER,
      positionKey: p.key,
      purpose: 'exit',
      tokenId: TOKEN,
      window: W,
      side: 'SELL',
      tif: 'FOK',
      limitPrice: 300_000,
      shares: 10_000_000,
      createdMs: 0,
    },
    0,
  );
  expect(t.checkLockTimeouts(10_000)).toBe(1);
  return t;
}

/** Runs the pass at wall time `wallMs` with the chain holding `held` shares; returns what it sent. */
async function pass(t: LiveTrader, wallMs: number, held: bigint): Promise<VenueEvent[]> {
  const sent: VenueEvent[] = [];
  const venue = {
    unknownOrders: () => [ORDER],
    signedAt: () => SIGNED,
    forgetUnknown: () => undefined,
  } as unknown as LiveVenue;
  const chain = {
    owner: '0xowner',
    outcomeBalances: async () => new Map([[TOKEN, held]]),
  } as unknown as LiveChain;
  await settleStuck({
    venue,
    chain,
    trader: t,
    clock: { now: () => 10_000 },
    wall: { now: () => wallMs },
    times: new FillTimes(),
    redeem: {} as RedeemQueue,
    stats: newLiveStats(),
    graceMs: GRACE,
    onVenueEvent: (ev) => sent.push(ev),
    bounded: (_what, p) => p,
  });
  return sent;
}

test('every share still on chain within the grace since signing: the exit is not re-sent (it may have filled)', async () => {
  const t = stuckTrader();
  expect(await pass(t, SIGNED + GRACE - 1, 10_000_000n)).toEqual([]);
  expect(t.position('p_BTC_15m_1766745000')!.state).toBe('EXITING');
});

test('after the grace, every share still held means unsold: the round goes on (venue-side rejection)', async () => {
  const t = stuckTrader();
  const sent = await pass(t, SIGNED + GRACE, 10_000_000n);
  expect(sent).toEqual([
    expect.objectContaining({ kind: 'rejected', clientOrderId: ORDER, cause: 'venue_unavailable' }),
  ]);
});
