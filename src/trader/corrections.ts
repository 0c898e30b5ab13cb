/**
 * Corrections: what the world outside the tick stream tells the trader about its positions
 * (design §9 reconciliation, issue #4 redeem and chain resolution, issue #8 point 6 stuck
 * entries; issue #10: one command instead of a verb per case). Each is applied by
 * `LiveTrader.correct` at a time `nowMs` (ms) and journaled; units: shares in micro-shares,
 * USDC in micro-USDC.
 */
import { MICROS } from '../core/money';
import type { OrderCommand, Side, VenueEvent, WindowRef } from '../core/types';
import type { OrderDesk } from './order-desk';
import { newPosition, partialTotals, type Position } from './position';
import type { PositionBook, WindowState } from './position-book';
import type { RiskLimits } from './risk-limits';
import type { Journal } from './trader-sink';

/** Strategy name of positions adopted from the chain by reconciliation (issue #4). */
export const RECONCILED_STRATEGY = 'reconciled';

/** Audit data journaled with a correction (e.g. chain and journal sizes, tx hash). */
export type CorrectionAudit = Readonly<Record<string, unknown>>;

/** One correction. */
export type Correction =
  /**
   * Reconciliation adopted the chain's size for a held position: `shares` replaces its size;
   * journals `RECONCILED` (with `sharesBefore`/`sharesAfter`).
   */
  | {
      readonly kind: 'shares';
      readonly key: string;
      readonly shares: number;
      readonly audit: CorrectionAudit;
    }
  /**
   * No tokens behind a held position: CLOSED with reason `manual` and proceeds 0 (a PENDING entry
   * ends as a failed entry), journaled `RECONCILED` then `CLOSED`.
   */
  | { readonly kind: 'close'; readonly key: string; readonly audit: CorrectionAudit }
  /**
   * A PENDING entry the venue never answered, confirmed by the chain: OPEN with `shares`, cost the
   * entry's full notional, no fee; journaled `RECONCILED` then `OPENED`.
   */
  | {
      readonly kind: 'confirm_entry';
      readonly key: string;
      readonly shares: number;
      readonly audit: CorrectionAudit;
    }
  /**
   * Tokens no position explains: adopted as an OPEN position of strategy `reconciled`, held to
   * resolution (entry price unknown: no exit rule runs), journaled `RECONCILED`.
   */
  | {
      readonly kind: 'adopt';
      readonly window: WindowRef;
      readonly side: Side;
      readonly tokenId: string;
      readonly shares: number;
      readonly audit: CorrectionAudit;
    }
  /**
   * What redeeming paid for a position closed at resolution: `proceeds` replace the predicted
   * payout, P&L is recomputed, `REDEEMED` journaled with `data` (tx hash, block); the daily loss
   * limit learns the difference. `position` may already be forgotten by the trader.
   */
  | {
      readonly kind: 'payout';
      readonly position: Position;
      readonly proceeds: number;
      readonly data: CorrectionAudit;
    }
  /**
   * The window's on-chain payout (live, when no tick settled it, e.g. positions restored after its
   * end): its positions close at `winner`.
   */
  | { readonly kind: 'chain_winner'; readonly window: WindowRef; readonly winner: Side };

/** What a correction did. */
export interface CorrectionResult {
  /** False when it did not apply (unknown key, wrong state, nothing to confirm). */
  readonly applied: boolean;
  /** The position it changed or adopted, when there is one. */
  readonly position: Position | null;
  /** Orders it caused (a window resolved from the chain may release a pending reversal entry). */
  readonly commands: OrderCommand[];
}

/** The result of a correction that did not apply. */
export function notApplied(): CorrectionResult {
  return { applied: false, position: null, commands: [] };
}

/** The parts of the trader a correction works on (its own objects; the trader passes itself). */
export interface CorrectionTarget {
  readonly book: PositionBook;
  readonly journal: Journal;
  readonly desk: OrderDesk;
  readonly risk: RiskLimits;
  /** The trader's handling of an entry outcome (counts a failed entry out of its window). */
  entryOutcome(p: Position, ev: VenueEvent, nowMs: number): void;
  /** The trader's follow-up of an exit outcome (pending reversals). */
  afterExitOutcome(p: Position, nowMs: number, out: OrderCommand[]): void;
  /** Resolves the window of `w` again when it already ended (its in-flight orders answered). */
  resolveIfEnded(w: WindowRef, nowMs: number, out: OrderCommand[]): void;
  /** Closes what can be closed at a window's end. */
  resolveWindow(ws: WindowState, nowMs: number, out: OrderCommand[]): void;
}

/** Applies corrections to one trader (see {@link Correction}). */
export class Corrector {
  constructor(private readonly t: CorrectionTarget) {}

  /** Applies `c` at `nowMs` (ms); see `LiveTrader.correct`. */
  apply(c: Correction, nowMs: number): CorrectionResult {
    switch (c.kind) {
      case 'shares':
        return this.reconcileShares(c.key, c.shares, nowMs, c.audit);
      case 'close':
        return this.reconcileClose(c.key, nowMs, c.audit);
      case 'confirm_entry':
        return this.confirmEntry(c.key, c.shares, nowMs, c.audit);
      case 'adopt':
        return this.adoptPosition(c, nowMs);
      case 'payout':
        this.recordPayout(c.position, c.proceeds, nowMs, c.data);
        return { applied: true, position: c.position, commands: [] };
      case 'chain_winner':
        return this.resolveFromChain(c.window, c.winner, nowMs);
    }
  }

  /**
   * Reconciliation adopted the chain's size for a position (design §9): sets `shares`
   * (micro-shares) and journals `RECONCILED` with `audit`. Returns false for an unknown key.
   */
  private reconcileShares(
    key: string,
    shares: number,
    nowMs: number,
    audit: CorrectionAudit,
  ): CorrectionResult {
    const p = this.t.book.get(key);
    if (p === undefined || p.state === 'CLOSED') return notApplied();
    const before = p.shares;
    p.shares = shares;
    this.t.journal.event(p, 'RECONCILED', p.state, nowMs, {
      ...audit,
      sharesBefore: before,
      sharesAfter: shares,
    });
    this.t.journal.position(p, nowMs);
    return { applied: true, position: p, commands: [] };
  }

  /**
   * Reconciliation found no tokens behind a position (design §9): CLOSED with exit reason
   * `manual`, proceeds 0 (unknown to the trader; the collateral is wherever the venue put it),
   * journaled `RECONCILED` then `CLOSED`. Returns false for an unknown key.
   */
  private reconcileClose(key: string, nowMs: number, audit: CorrectionAudit): CorrectionResult {
    const p = this.t.book.get(key);
    if (p === undefined || p.state === 'CLOSED') return notApplied();
    this.t.journal.event(p, 'RECONCILED', p.state, nowMs, audit);
    if (p.state === 'PENDING') {
      // an entry that bought nothing: it ends as a failed entry, never as a trade
      this.t.entryOutcome(
        p,
        {
          kind: 'rejected',
          clientOrderId: p.openOrderId ?? `${p.key}:entry`,
          tsMs: nowMs,
          reason: 'reconciled: no tokens on chain for the unanswered entry',
        },
        nowMs,
      );
    } else {
      this.t.desk.closeReconciled(p, nowMs);
      this.t.afterExitOutcome(p, nowMs, []);
    }
    this.t.resolveIfEnded(p.window, nowMs, []);
    return { applied: true, position: p, commands: [] };
  }

  /**
   * A PENDING entry whose order the venue never answered, confirmed by the chain (issue #8
   * point 6): OPEN with `shares` (micro-shares, the chain balance the entry added), cost the
   * entry's full notional (a FOK BUY spends at most it: the P&L errs on the side of a loss), no
   * fee. Journals `RECONCILED` then `OPENED`. Returns false unless `key` is PENDING.
   */
  private confirmEntry(key: string, shares: number, nowMs: number, audit: CorrectionAudit): CorrectionResult {
    const p = this.t.book.get(key);
    if (p === undefined || p.state !== 'PENDING' || shares <= 0) return notApplied();
    this.t.journal.event(p, 'RECONCILED', p.state, nowMs, { ...audit, shares });
    this.t.entryOutcome(
      p,
      {
        kind: 'filled',
        clientOrderId: p.openOrderId ?? `${p.key}:entry`,
        tsMs: nowMs,
        fills: [],
        shares,
        notional: this.t.desk.entryNotional,
        feeUsdc: 0,
        feeShares: 0,
      },
      nowMs,
    );
    return { applied: true, position: p, commands: [] };
  }

  /**
   * Reconciliation found tokens no position explains (design §9): adopts them as an OPEN
   * position of strategy `reconciled`, held to resolution (its entry price is unknown, so no exit
   * rule runs), journaled `RECONCILED`. Returns the new position.
   */
  private adoptPosition(c: Extract<Correction, { kind: 'adopt' }>, nowMs: number): CorrectionResult {
    const ws = this.t.book.windowState(c.window);
    const key = this.t.book.nextKey(ws, RECONCILED_STRATEGY);
    const p = newPosition(key, RECONCILED_STRATEGY, c.window, c.side, c.tokenId, nowMs);
    p.state = 'OPEN';
    p.shares = c.shares;
    p.entryTimeMs = nowMs;
    p.holdToResolution = true;
    p.fillTickSeq = 0;
    this.t.book.register(ws, p);
    this.t.journal.event(p, 'RECONCILED', 'PENDING', nowMs, c.audit);
    this.t.journal.position(p, nowMs);
    return { applied: true, position: p, commands: [] };
  }

  /**
   * Resolves a window from its on-chain payout (live, when no tick of the window arrived to
   * settle it, e.g. positions restored after its end): closes its positions at `winner`.
   */
  private resolveFromChain(window: WindowRef, winner: Side, nowMs: number): CorrectionResult {
    const out: OrderCommand[] = [];
    const ws = this.t.book.find(window);
    if (ws === undefined) return notApplied();
    ws.chainWinner = winner;
    this.t.resolveWindow(ws, Math.max(nowMs, ws.endMs), out);
    return { applied: true, position: null, commands: out };
  }

  /**
   * Records what redeeming paid for a position closed at resolution (issue #4): proceeds
   * (micro-USDC) replace the predicted payout, P&L is recomputed, `REDEEMED` is journaled with
   * `data` (tx hash, block) and the snapshot re-emitted. The daily loss limit learns the difference.
   */
  private recordPayout(p: Position, proceeds: number, nowMs: number, data: CorrectionAudit): void {
    const before = p.pnlUsdc ?? 0;
    // partial exits sold earlier (issue #12) stay in the totals; the payout is for what was left
    p.proceedsUsdc = proceeds + partialTotals(p).proceeds;
    p.exitPrice = p.shares > 0 ? Math.round((proceeds * MICROS) / p.shares) : p.exitPrice;
    p.pnlUsdc = p.proceedsUsdc - (p.exitFeeUsdc ?? 0) - p.costUsdc;
    if (p.pnlUsdc !== before && p.strategy !== RECONCILED_STRATEGY)
      this.t.risk.recordClose(p.pnlUsdc - before, nowMs);
    this.t.journal.event(p, 'REDEEMED', null, nowMs, { ...data, proceeds, pnl: p.pnlUsdc });
    this.t.journal.position(p, nowMs);
  }
}
