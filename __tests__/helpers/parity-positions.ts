/**
 * Position records for the parity tests (issue #11): one BTC 15m window at `EPOCH`, an UP
 * position bought at 0.50 for 5 USDC (10 shares) 10 s in; closed, it trailed out at 0.58 a minute
 * in (P&L +0.8 USDC). The strategy is the key's first `_` part (`reconciled_…` is an adoption).
 */
import type { PositionRecord } from '../../src/trader/journal-records';

/** The window epoch of the records, s. */
export const EPOCH = 1_766_745_000;

/** An OPEN position record under `key`, with `o` overriding fields. */
export function openPosition(key: string, o: Partial<PositionRecord> = {}): PositionRecord {
  return {
    positionKey: key,
    strategy: key.split('_')[0]!,
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: EPOCH,
    side: 'UP',
    tokenId: 't',
    state: 'OPEN',
    entryTimeMs: EPOCH * 1000 + 10_000,
    entryPrice: 500_000,
    shares: 10_000_000,
    costUsdc: 5_000_000,
    entryFeeUsdc: 0,
    highWaterMark: 600_000,
    trailingActivatedAtMs: null,
    exitReason: null,
    exitTimeMs: null,
    exitPrice: null,
    proceedsUsdc: null,
    exitFeeUsdc: null,
    pnlUsdc: null,
    exitAttempts: 0,
    updatedMs: 0,
    ...o,
  };
}

/** A CLOSED position record (trailing stop at 0.58, P&L +0.8 USDC), with `o` overriding fields. */
export function closedPosition(key: string, o: Partial<PositionRecord> = {}): PositionRecord {
  return openPosition(key, {
    state: 'CLOSED',
    exitReason: 'trailing_stop',
    exitTimeMs: EPOCH * 1000 + 60_000,
    exitPrice: 580_000,
    proceedsUsdc: 5_800_000,
    exitFeeUsdc: 0,
    pnlUsdc: 800_000,
    exitAttempts: 1,
    ...o,
  });
}
