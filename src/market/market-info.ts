/**
 * A market window as discovered through the Gamma API (issue #3, polymarket-protocol.md §2):
 * its tokens in outcome order (checked, not assumed), its times and venue parameters.
 */
import type { WindowRef } from '../core/types';

/** One discovered Up/Down window. */
export interface MarketInfo {
  readonly window: WindowRef;
  readonly slug: string;
  readonly conditionId: string;
  /** Token id of the "Up" outcome. */
  readonly upTokenId: string;
  /** Token id of the "Down" outcome. */
  readonly downTokenId: string;
  /** Window start and end, ms since the epoch. */
  readonly startMs: number;
  readonly endMs: number;
  /** Tick size, micro-USDC (from `orderPriceMinTickSize`), or null. */
  readonly tickSize: number | null;
  /** Minimum resting order size, micro-shares, or null. */
  readonly minOrderSize: number | null;
  readonly negRisk: boolean;
  /**
   * Protocol version from Gamma `version` (polymarket-protocol.md §2.3, §10): `v1` when absent
   * (CTF positions), `v2` = Protocol-V2 (PositionManager ids, Router redeem). Optional so
   * synthetic markets may omit it (= `v1`); `parseGammaMarket` always sets it (issue #8 point 8).
   */
  readonly protocolVersion?: string;
  readonly active: boolean;
  readonly closed: boolean;
}
