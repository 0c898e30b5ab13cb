/**
 * The restart plan (issue #10: records → a plan, pure and tested as such): what a resumed live
 * run does with each stored position, order and attempt, without a trader, venue or chain.
 */
import { planRestore, type RunRecords } from '../../src/live/restore-plan';
import type {
  OrderAttemptRecord,
  OrderRecord,
  PositionRecord,
  WindowRecord,
} from '../../src/persistence/records';

const EPOCH = 1_766_000_700; // a 15m window start, s
const END_MS = (EPOCH + 900) * 1000;
const DURING = END_MS - 300_000;
const AFTER = END_MS + 60_000;

function position(key: string, over: Partial<PositionRecord> = {}): PositionRecord {
  return {
    positionKey: key,
    strategy: 'fast',
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: EPOCH,
    side: 'UP',
    tokenId: '0x0a',
    state: 'OPEN',
    entryTimeMs: DURING - 60_000,
    entryPrice: 500_000,
    shares: 10_000_000,
    costUsdc: 5_000_000,
    entryFeeUsdc: 0,
    highWaterMark: null,
    trailingActivatedAtMs: null,
    exitReason: null,
    exitTimeMs: null,
    exitPrice: null,
    proceedsUsdc: null,
    exitFeeUsdc: null,
    pnlUsdc: null,
    exitAttempts: 0,
    updatedMs: DURING,
    ...over,
  };
}

function order(clientOrderId: string, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId,
    positionKey: clientOrderId.split(':')[0]!,
    purpose: clientOrderId.includes(':exit:') ? 'exit' : 'entry',
    tokenId: '10',
    side: clientOrderId.includes(':exit:') ? 'SELL' : 'BUY',
    tif: 'FOK',
    limitPrice: 500_000,
    notional: clientOrderId.includes(':exit:') ? null : 5_000_000,
    shares: clientOrderId.includes(':exit:') ? 10_000_000 : null,
    status: 'filled',
    reason: null,
    createdMs: DURING - 60_000,
    updatedMs: DURING - 60_000,
    ...over,
  };
}

const attempt = (clientOrderId: string, venueOrderId: string, signedMs: number): OrderAttemptRecord => ({
  clientOrderId,
  venueOrderId,
  signedMs,
});

const WINDOW: WindowRecord = {
  crypto: 'BTC',
  windowSec: 900,
  windowEpoch: EPOCH,
  slug: `btc-updown-15m-${EPOCH}`,
  conditionId: '0xc0',
  upTokenId: '10',
  downTokenId: '11',
  winner: null,
  startPrice: null,
  endPrice: null,
  expectedWinner: null,
};

const records = (over: Partial<RunRecords>): RunRecords => ({
  positions: [],
  orders: [],
  attempts: [],
  windows: [WINDOW],
  redeemedKeys: new Set(),
  ...over,
});

describe('planRestore', () => {
  it('restores an EXITING position with its in-flight exit and the stored attempts, exit numbering continued', () => {
    const key = 'BTC-900-1766000700-fast-1';
    const plan = planRestore(
      records({
        positions: [position(key, { state: 'EXITING', exitAttempts: 1 })],
        orders: [
          order(`${key}:entry`),
          order(`${key}:exit:1.1`, { status: 'killed' }),
          order(`${key}:exit:2.1`, { status: 'killed' }),
          order(`${key}:exit:2.2`, { status: 'unknown' }),
        ],
        attempts: [
          attempt(`${key}:entry`, '0xe', 100),
          attempt(`${key}:exit:2.2`, '0xa', 200),
          attempt(`${key}:exit:2.2`, '0xb', 300),
        ],
      }),
      DURING,
    );
    expect(plan.markets).toEqual([
      {
        window: { crypto: 'BTC', windowSec: 900, windowEpoch: EPOCH },
        conditionId: '0xc0',
        upTokenId: '10',
        downTokenId: '11',
      },
    ]);
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    if (step.kind !== 'open') throw new Error('expected an open step');
    expect(step.inFlight?.clientOrderId).toBe(`${key}:exit:2.2`);
    expect(step.inFlight).toMatchObject({ side: 'SELL', shares: 10_000_000, tif: 'FOK' });
    expect(step.attemptIds).toEqual(['0xa', '0xb']);
    expect(step.signedMs).toEqual([200, 300]);
    expect(step.position.exitRounds).toBe(2);
    expect(step.position.roundAttempts).toBe(2);
    // the filled entry's signature time is the token's last fill (the settlement grace survives)
    expect(plan.lastFillWall.get('10')).toBe(100);
  });

  it('a PENDING entry with no stored attempt is in flight with no attempt ids (never posted)', () => {
    const key = 'BTC-900-1766000700-fast-2';
    const plan = planRestore(
      records({
        positions: [position(key, { state: 'PENDING', shares: 0 })],
        orders: [order(`${key}:entry`, { status: 'pending' })],
      }),
      DURING,
    );
    const step = plan.steps[0]!;
    if (step.kind !== 'open') throw new Error('expected an open step');
    expect(step.inFlight?.purpose).toBe('entry');
    expect(step.attemptIds).toEqual([]);
    expect(step.position.roundAttempts).toBe(0);
  });

  it('closed positions: keys reserved while the window runs, settled after; held ones redeemed unless already', () => {
    const held = (k: string) =>
      position(k, { state: 'CLOSED', exitReason: 'window_expiry', pnlUsdc: 5_000_000, exitTimeMs: END_MS });
    const sold = position('S', {
      state: 'CLOSED',
      exitReason: 'stop_loss',
      proceedsUsdc: 4_000_000,
      pnlUsdc: -1_000_000,
      exitTimeMs: DURING,
    });
    const input = records({ positions: [held('H1'), held('H2'), sold], redeemedKeys: new Set(['H2']) });
    const during = planRestore(input, DURING);
    expect(during.steps.map((s) => (s.kind === 'closed' ? [s.key, s.reserve, s.settle] : []))).toEqual([
      ['H1', true, false],
      ['H2', true, false],
      ['S', true, false],
    ]);
    const after = planRestore(input, AFTER);
    const steps = after.steps.flatMap((s) => (s.kind === 'closed' ? [s] : []));
    expect(steps.map((s) => [s.reserve, s.settle])).toEqual([
      [false, true],
      [false, true],
      [false, true],
    ]);
    expect(steps.map((s) => s.redeemPosition?.key ?? null)).toEqual(['H1', null, null]);
    expect(steps.map((s) => s.sale)).toEqual([null, null, { tokenId: '0x0a', redeemWindow: true }]);
    expect(during.steps[2]).toMatchObject({ sale: { redeemWindow: false } });
    expect(after.closedPnl).toEqual([
      { pnlMicros: 5_000_000, exitTimeMs: END_MS },
      { pnlMicros: 5_000_000, exitTimeMs: END_MS },
      { pnlMicros: -1_000_000, exitTimeMs: DURING },
    ]);
  });

  it('windows without chain ids give no market', () => {
    const plan = planRestore(records({ windows: [{ ...WINDOW, conditionId: '' }] }), DURING);
    expect(plan.markets).toEqual([]);
  });
});
