/** Counters of the live loop (issue #4, #8, #9), also the run summary's `live` block. */
export interface LiveStats {
  reconcilePasses: number;
  reconcileErrors: number;
  /** Discrepancies found, by kind. */
  discrepancies: { missing: number; extra: number; size_mismatch: number };
  adopted: number;
  closedByReconcile: number;
  resized: number;
  reviews: number;
  /** Tokens skipped by a pass (order in flight or fill within the settlement grace). */
  skippedBusy: number;
  restored: number;
  unknownResolved: number;
  stuckSettledFromChain: number;
  /** Positions whose window was redeemed with a payout > 0. */
  redeemed: number;
  redeemPayoutMicros: number;
  redeemErrors: number;
  /** Windows resolved from the chain because no tick settled them. */
  chainResolved: number;
  flushErrors: number;
  /** Windows whose tokens are settled (resolved, redeemed or left to the wallet): never reconciled again. */
  settledWindows: number;
  /** Windows resolved while the funder still held tokens this trader cannot redeem (proxy/Safe). */
  unredeemable: number;
  /** Markets not traded because this trader cannot handle them (neg-risk, protocol, position ids). */
  marketsRefused: number;
  /** Maintenance calls (venue or chain) that hit their timeout. */
  timeouts: number;
  /** PENDING entries past the lock timeout settled from the chain (no tokens: never filled). */
  stuckEntriesSettled: number;
}

/** Fresh counters. */
export const newLiveStats = (): LiveStats => ({
  reconcilePasses: 0,
  reconcileErrors: 0,
  discrepancies: { missing: 0, extra: 0, size_mismatch: 0 },
  adopted: 0,
  closedByReconcile: 0,
  resized: 0,
  reviews: 0,
  skippedBusy: 0,
  restored: 0,
  unknownResolved: 0,
  stuckSettledFromChain: 0,
  redeemed: 0,
  redeemPayoutMicros: 0,
  redeemErrors: 0,
  chainResolved: 0,
  flushErrors: 0,
  settledWindows: 0,
  unredeemable: 0,
  marketsRefused: 0,
  timeouts: 0,
  stuckEntriesSettled: 0,
});
