import type { Side } from '../core/types';
import type { WindowRecord } from '../persistence/records';
import type { MarketInfo } from './market-info';

/** The oracle's verdict on a window (spot prices in USD). */
export interface Settlement {
  readonly winner: Side;
  readonly start: { readonly value: number };
  readonly end: { readonly value: number };
}

/**
 * Returns the `windows` row of a discovered market, with the oracle settlement when known
 * (`winner`, the venue's resolution, is not known here and stays null).
 */
export function windowRecordOf(info: MarketInfo, settled: Settlement | null = null): WindowRecord {
  return {
    crypto: info.window.crypto,
    windowSec: info.window.windowSec,
    windowEpoch: info.window.windowEpoch,
    slug: info.slug,
    conditionId: info.conditionId,
    upTokenId: info.upTokenId,
    downTokenId: info.downTokenId,
    winner: null,
    startPrice: settled?.start.value ?? null,
    endPrice: settled?.end.value ?? null,
    expectedWinner: settled?.winner ?? null,
  };
}
