/**
 * Where the trader's journal goes: append-only position events (with a run-wide sequence),
 * position snapshots, orders and fills as persistence records, closed positions and resolved
 * windows. The `Journal` builds the records; a `TraderSink` receives them (the replay buffers
 * them for the repository; tests collect them; benchmarks discard them).
 */
import type { OrderCommand, PositionState, Side, VenueEvent, WindowRef } from '../core/types';
import type { FillRecord, OrderRecord, PositionEventRecord, PositionRecord } from './journal-records';
import { toPositionRecord, type Position } from './position';

/** Receiver of the trader's records. Implementations must not throw. */
export interface TraderSink {
  onPositionEvent(e: PositionEventRecord): void;
  onPosition(p: PositionRecord): void;
  onOrder(o: OrderRecord): void;
  onFill(f: FillRecord): void;
  /** A position reached CLOSED after its entry filled (a trade). */
  onPositionClosed(p: Position): void;
  /** Every position of the window is closed and the window is forgotten. */
  onWindowResolved(w: WindowRef, winner: Side | null, tsMs: number): void;
}

/** A sink that discards everything. */
export const NULL_SINK: TraderSink = {
  onPositionEvent: () => undefined,
  onPosition: () => undefined,
  onOrder: () => undefined,
  onFill: () => undefined,
  onPositionClosed: () => undefined,
  onWindowResolved: () => undefined,
};

/** Builds journal records with a strictly increasing sequence and forwards them to a sink. */
export class Journal {
  private seq: number;
  private readonly sent = new Map<string, OrderCommand>();

  /**
   * Creates a journal writing to `sink`; the first event gets `seqStart + 1` (a live trader
   * resuming its run starts after the run's highest stored seq).
   */
  constructor(
    readonly sink: TraderSink,
    seqStart = 0,
  ) {
    this.seq = seqStart;
  }

  /** Re-registers an order sent by an earlier process (a live restart), so its outcome is recorded. */
  adoptSent(cmd: OrderCommand): void {
    this.sent.set(cmd.clientOrderId, cmd);
  }

  /** Appends a position event (`fromState` → the position's current state when given). */
  event(
    p: Position,
    type: string,
    fromState: PositionState | null,
    tsMs: number,
    data: Record<string, unknown>,
  ): void {
    this.append(p.key, type, fromState, fromState === null ? null : p.state, tsMs, data);
  }

  /** Appends an event about a key that is not a held position (e.g. `reconcile_<tokenId>`). */
  eventByKey(positionKey: string, type: string, tsMs: number, data: Record<string, unknown>): void {
    this.append(positionKey, type, null, null, tsMs, data);
  }

  /** Emits a snapshot of the position. */
  position(p: Position, nowMs: number): void {
    this.sink.onPosition(toPositionRecord(p, nowMs));
  }

  /** Records an order as sent (status `pending`). */
  orderSent(cmd: OrderCommand): void {
    this.sent.set(cmd.clientOrderId, cmd);
    this.sink.onOrder(orderRecord(cmd, 'pending', null, cmd.createdMs));
  }

  private append(
    positionKey: string,
    type: string,
    fromState: PositionState | null,
    toState: PositionState | null,
    tsMs: number,
    data: Record<string, unknown>,
  ): void {
    this.seq += 1;
    this.sink.onPositionEvent({ seq: this.seq, positionKey, type, fromState, toState, tsMs, data });
  }

  /** Records an order's outcome and, when filled, its fills (fee spread pro rata by shares). */
  orderOutcome(ev: VenueEvent, nowMs: number): void {
    const cmd = this.sent.get(ev.clientOrderId);
    if (cmd === undefined) return;
    if (ev.kind !== 'unknown') this.sent.delete(ev.clientOrderId);
    const reason = ev.kind === 'filled' ? null : ev.reason;
    this.sink.onOrder(orderRecord(cmd, ev.kind, reason, nowMs));
    if (ev.kind !== 'filled') return;
    let feeLeft = ev.feeUsdc;
    ev.fills.forEach((f, i) => {
      const fee =
        i === ev.fills.length - 1 ? feeLeft : Math.floor((ev.feeUsdc * f.shares) / Math.max(ev.shares, 1));
      feeLeft -= fee;
      this.sink.onFill({
        tradeId: f.tradeId,
        clientOrderId: ev.clientOrderId,
        positionKey: cmd.positionKey,
        price: f.price,
        shares: f.shares,
        feeUsdc: fee,
        tsMs: ev.tsMs,
      });
    });
  }
}

function orderRecord(
  cmd: OrderCommand,
  status: OrderRecord['status'],
  reason: string | null,
  nowMs: number,
): OrderRecord {
  return {
    clientOrderId: cmd.clientOrderId,
    positionKey: cmd.positionKey,
    purpose: cmd.purpose,
    tokenId: cmd.tokenId,
    side: cmd.side,
    tif: cmd.tif,
    limitPrice: cmd.limitPrice,
    notional: cmd.notional ?? null,
    shares: cmd.shares ?? null,
    status,
    reason,
    createdMs: cmd.createdMs,
    updatedMs: nowMs,
  };
}
