/**
 * What the live loop needs from the outside (issue #4, #10): the venue, the chain and the
 * markets in play. `ClobVenue` and a `ChainReader` plus the wallet's redeem fit.
 */
import type { OrderCommand, VenueEvent, WindowRef } from '../core/types';
import type { PayoutState } from '../chain/balances';
import type { RedeemResult } from '../chain/redeem';
import type { ExecutionVenue } from '../execution/venue';

/** The venue as the live loop needs it (`ClobVenue` fits). */
export interface LiveVenue extends ExecutionVenue {
  /** True while any command awaits its outcome. */
  readonly busy: boolean;
  unknownOrders(): string[];
  /** Settles an unknown outcome by querying the venue; `null` while it cannot be asked. */
  resolveUnknown(clientOrderId: string): Promise<VenueEvent | null>;
  /** `signedMs`: wall time each attempt was signed (a 404 for a recent one may be in flight). */
  adoptUnknown(cmd: OrderCommand, orderIds: readonly string[], signedMs?: readonly number[]): void;
  forgetUnknown(clientOrderId: string): void;
  /** Wall time (ms) the latest attempt of a command was signed; 0 when unknown (issue #10: one owner). */
  signedAt(clientOrderId: string): number;
  idle(): Promise<void>;
}

/** The chain as the live loop needs it (a `ChainReader` plus the wallet's redeem). */
export interface LiveChain {
  /** The funder address holding the tokens (polymarket-protocol.md §7.2). */
  readonly owner: string;
  outcomeBalances(owner: string, tokenIds: readonly string[]): Promise<Map<string, bigint>>;
  payout(conditionId: string): Promise<PayoutState>;
  /** Redeems both positions of a condition; `null` when this wallet cannot (proxy/Safe funder). */
  readonly redeem: ((conditionId: string) => Promise<RedeemResult>) | null;
}

/** A window's chain ids (and, from Gamma, what protocol it trades on: issue #8 point 8). */
export interface LiveMarket {
  readonly window: WindowRef;
  readonly conditionId: string;
  readonly upTokenId: string;
  readonly downTokenId: string;
  /** Gamma `negRisk` (absent = false). */
  readonly negRisk?: boolean;
  /** Gamma `version` (`v1` when absent; `v2` = Protocol-V2, polymarket-protocol.md §10). */
  readonly protocolVersion?: string;
  /** The market's slug, for log lines. */
  readonly slug?: string;
}
