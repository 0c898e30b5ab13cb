/** Counters kept by the LiveTrader; all start at zero. */
export interface TraderStats {
  ticks: number;
  signals: number;
  /** Signals ignored: the strategy already holds that side, or already traded the window. */
  signalsIgnored: number;
  entriesSubmitted: number;
  entriesFilled: number;
  entriesKilled: number;
  entriesRejected: number;
  entriesUnknown: number;
  /** Entry signals with no ask to buy at. */
  entriesNoAsk: number;
  exitOrders: number;
  exitsFilled: number;
  exitsKilled: number;
  exitsRejected: number;
  /** Submits that threw (counted as failed attempts). */
  exitSubmitErrors: number;
  exitsUnknown: number;
  /**
   * Exit failures on the venue's side (425, 5xx, 429, settlement pending, account setup): retried
   * after a back-off without using an attempt or a round (issue #8 point 3).
   */
  exitsDeferred: number;
  exitRoundsFailed: number;
  /** Positions whose exit rounds were exhausted: flagged for reconciliation, rules still armed. */
  reconcileRequired: number;
  /** Cooldowns started after exhausted exit rounds (EXIT_COOLDOWN_MS each). */
  exitCooldowns: number;
  /** Times a position became too small to sell at its bid (rules stay armed; issue #8 point 5). */
  orderTooSmall: number;
  /** Times flatten could not sell a position (no bid, stale book, too small, cooldown), per change. */
  flattenHeld: number;
  reversalsExecuted: number;
  /** Entries refused: kill_switch, max_open_positions, daily_loss_limit, flatten. */
  entriesBlocked: Record<string, number>;
  reversalsBlocked: Record<string, number>;
  /** Positions EXITING past POSITION_LOCK_TIMEOUT_MS with an order unanswered. */
  lockTimeouts: number;
  /** Orders not sent because the token's book was stale (entries skipped, exits deferred). */
  ordersBlockedStale: number;
  /** Venue events for orders the trader does not know (dropped). */
  unknownOrderEvents: number;
  /** Ticks for windows already resolved (dropped). */
  lateTicks: number;
}

/** Returns zeroed counters. */
export function newTraderStats(): TraderStats {
  return {
    ticks: 0,
    signals: 0,
    signalsIgnored: 0,
    entriesSubmitted: 0,
    entriesFilled: 0,
    entriesKilled: 0,
    entriesRejected: 0,
    entriesUnknown: 0,
    entriesNoAsk: 0,
    exitOrders: 0,
    exitsFilled: 0,
    exitsKilled: 0,
    exitsRejected: 0,
    exitSubmitErrors: 0,
    exitsUnknown: 0,
    exitsDeferred: 0,
    exitRoundsFailed: 0,
    reconcileRequired: 0,
    exitCooldowns: 0,
    orderTooSmall: 0,
    flattenHeld: 0,
    reversalsExecuted: 0,
    entriesBlocked: {},
    reversalsBlocked: {},
    lockTimeouts: 0,
    ordersBlockedStale: 0,
    unknownOrderEvents: 0,
    lateTicks: 0,
  };
}
