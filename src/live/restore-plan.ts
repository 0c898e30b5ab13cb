/**
 * Restoring a resumed live run (issue #4 restart, issue #10: records → a plan, pure): what the
 * journal of a run says to do with each stored position, computed without touching the trader,
 * the venue or the chain. `LiveSession.restore` loads the records and applies the plan.
 * Amounts: micro-shares / micro-USDC; times: ms (venue time for the trader, wall time for
 * signatures).
 */
import type { OrderCommand, WindowRef } from '../core/types';
import { windowEndMs } from '../core/types';
import { canonicalTokenId } from '../chain/balances';
import type { OrderAttemptRecord, OrderRecord, PositionRecord, WindowRecord } from '../persistence/records';
import { positionFromRecord, windowOfRecord, type Position } from '../trader/position';
import type { LiveMarket } from './ports';

/** The stored records of a run (`loadPositions`, `loadOrders`, …). */
export interface RunRecords {
  readonly positions: readonly PositionRecord[];
  readonly orders: readonly OrderRecord[];
  readonly attempts: readonly OrderAttemptRecord[];
  /** The stored windows of the positions. */
  readonly windows: readonly WindowRecord[];
  /** Keys of positions with a `REDEEMED` event. */
  readonly redeemedKeys: ReadonlySet<string>;
}

/** What to do with one stored position, in journal order. */
export type RestoreStep =
  | {
      /** A CLOSED position: its key stays reserved while its window runs; its window's tokens settle. */
      readonly kind: 'closed';
      readonly key: string;
      readonly strategy: string;
      readonly window: WindowRef;
      /** Window still running at the restart: reserve the key (sequence numbers never repeat). */
      readonly reserve: boolean;
      /** Window ended: never reconciled again. */
      readonly settle: boolean;
      /** Held to resolution and not redeemed yet: queue its redeem with this position. */
      readonly redeemPosition: Position | null;
      /** Closed by a sale: its token may hold sale dust (counted), redeemed once the window ended. */
      readonly sale: { readonly tokenId: string; readonly redeemWindow: boolean } | null;
    }
  | {
      /** A position not CLOSED: restored into the trader with the order it had in flight. */
      readonly kind: 'open';
      readonly position: Position;
      /** The order in flight (`pending`/`unknown`), or null (an EXITING one retries next tick). */
      readonly inFlight: OrderCommand | null;
      /** Venue order ids of the stored attempts of `inFlight` (none = never posted). */
      readonly attemptIds: readonly string[];
      /** Wall time each attempt was signed, ms. */
      readonly signedMs: readonly number[];
    };

/** The plan of a restart. */
export interface RestorePlan {
  /** Markets of the stored windows that have their chain ids. */
  readonly markets: readonly LiveMarket[];
  /**
   * Canonical token id → wall time of its latest fill (the signature time of a filled order):
   * the settlement grace survives a restart (issue #8 point 11).
   */
  readonly lastFillWall: ReadonlyMap<string, number>;
  /** Today's realised P&L rows for the daily loss limit (issue #8 point 9). */
  readonly closedPnl: readonly { readonly pnlMicros: number; readonly exitTimeMs: number }[];
  readonly steps: readonly RestoreStep[];
}

/**
 * Computes the plan of a restart at venue time `nowMs` from a run's records. Pure.
 */
export function planRestore(r: RunRecords, nowMs: number): RestorePlan {
  const markets: LiveMarket[] = [];
  for (const w of r.windows) {
    if (w.conditionId === '' || w.upTokenId === '') continue;
    markets.push({
      window: { crypto: w.crypto, windowSec: w.windowSec, windowEpoch: w.windowEpoch },
      conditionId: w.conditionId,
      upTokenId: w.upTokenId,
      downTokenId: w.downTokenId,
    });
  }
  const ordersOf = new Map<string, OrderRecord[]>();
  for (const o of r.orders) ordersOf.set(o.positionKey, [...(ordersOf.get(o.positionKey) ?? []), o]);
  const idsOf = new Map<string, string[]>();
  const signedOf = new Map<string, number[]>();
  const signedWall = new Map<string, number>();
  for (const a of r.attempts) {
    idsOf.set(a.clientOrderId, [...(idsOf.get(a.clientOrderId) ?? []), a.venueOrderId]);
    signedOf.set(a.clientOrderId, [...(signedOf.get(a.clientOrderId) ?? []), a.signedMs]);
    signedWall.set(a.clientOrderId, Math.max(a.signedMs, signedWall.get(a.clientOrderId) ?? 0));
  }
  const lastFillWall = new Map<string, number>();
  for (const o of r.orders) {
    const at = signedWall.get(o.clientOrderId);
    if (o.status !== 'filled' || at === undefined) continue;
    const id = canonicalTokenId(o.tokenId);
    lastFillWall.set(id, Math.max(at, lastFillWall.get(id) ?? 0));
  }
  const closedPnl = r.positions
    .filter((p) => p.state === 'CLOSED' && p.pnlUsdc !== null && p.exitTimeMs !== null)
    .map((p) => ({ pnlMicros: p.pnlUsdc ?? 0, exitTimeMs: p.exitTimeMs ?? 0 }));
  const steps: RestoreStep[] = [];
  for (const rec of r.positions) {
    const own = ordersOf.get(rec.positionKey) ?? [];
    if (rec.state === 'CLOSED') {
      const w = windowOfRecord(rec);
      const running = windowEndMs(w) > nowMs;
      const held = rec.exitReason === 'window_expiry' && rec.shares > 0;
      steps.push({
        kind: 'closed',
        key: rec.positionKey,
        strategy: rec.strategy,
        window: w,
        reserve: running,
        settle: !running,
        redeemPosition: held && !r.redeemedKeys.has(rec.positionKey) ? positionFromRecord(rec) : null,
        sale: !held && (rec.proceedsUsdc ?? 0) > 0 ? { tokenId: rec.tokenId, redeemWindow: !running } : null,
      });
      continue;
    }
    const p = positionFromRecord(rec);
    setExitRounds(p, own);
    const open = own.filter((o) => o.status === 'pending' || o.status === 'unknown').pop();
    const inFlight = open === undefined ? null : commandOf(open, p);
    steps.push({
      kind: 'open',
      position: p,
      inFlight,
      attemptIds: inFlight === null ? [] : (idsOf.get(inFlight.clientOrderId) ?? []),
      signedMs: inFlight === null ? [] : (signedOf.get(inFlight.clientOrderId) ?? []),
    });
  }
  return { markets, lastFillWall, closedPnl, steps };
}

/** Continues the exit-order numbering of a restored position (client order ids never repeat). */
function setExitRounds(p: Position, orders: readonly OrderRecord[]): void {
  for (const r of orders) {
    const m = /:exit:(\d+)\.(\d+)$/.exec(r.clientOrderId);
    if (m === null) continue;
    const round = Number(m[1]);
    const attempt = Number(m[2]);
    if (round > p.exitRounds) {
      p.exitRounds = round;
      p.roundAttempts = attempt;
    } else if (round === p.exitRounds && attempt > p.roundAttempts) p.roundAttempts = attempt;
  }
  if (p.state !== 'EXITING') p.roundAttempts = 0;
}

/** The command behind a stored order (to settle its outcome after a restart). */
function commandOf(r: OrderRecord, p: Position): OrderCommand {
  return {
    clientOrderId: r.clientOrderId,
    positionKey: r.positionKey,
    purpose: r.purpose,
    tokenId: r.tokenId,
    window: p.window,
    side: r.side,
    tif: 'FOK',
    limitPrice: r.limitPrice,
    ...(r.notional === null ? {} : { notional: r.notional }),
    ...(r.shares === null ? {} : { shares: r.shares }),
    createdMs: r.createdMs,
  };
}
