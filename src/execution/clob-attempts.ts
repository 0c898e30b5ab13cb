/**
 * In-flight order state of the CLOB venue, in one owner (issue #10): which client order ids were
 * taken, the attempts signed for each (order ids = EIP-712 digests, with their wall signing time
 * and whether the POST answered), the commands awaiting an outcome and those whose outcome is
 * unknown (design §7: settled by querying the venue, never re-sent). Pure bookkeeping: no I/O,
 * times passed in (wall ms).
 */
import type { OrderCommand } from '../core/types';

/** What is known about one signed attempt (the 404 rule of issue #8 point 1). */
export interface AttemptInfo {
  /** Wall time the attempt was signed, ms. */
  readonly signedAtMs: number;
  /** True once the POST's own answer (or a not-sent error) came back. */
  answered: boolean;
}

/** The venue's orders in flight and unknown. */
export class AttemptBook {
  private readonly seen = new Set<string>();
  private readonly sentIds = new Map<string, string[]>();
  private readonly attempts = new Map<string, AttemptInfo>();
  private readonly unknown = new Map<string, OrderCommand>();
  private readonly pending = new Map<string, OrderCommand>();

  /** Takes a client order id for a new command; false when it was taken before (a duplicate). */
  claim(clientOrderId: string): boolean {
    if (this.seen.has(clientOrderId)) return false;
    this.seen.add(clientOrderId);
    return true;
  }

  /** Marks `cmd` (possibly resized) as awaiting its outcome. */
  awaiting(cmd: OrderCommand): void {
    this.pending.set(cmd.clientOrderId, cmd);
  }

  /** Records a signed attempt of `clientOrderId` (order id, wall ms) and returns its state. */
  signed(clientOrderId: string, orderId: string, wallMs: number): AttemptInfo {
    this.sentIds.set(clientOrderId, [...this.orderIdsOf(clientOrderId), orderId]);
    const info: AttemptInfo = { signedAtMs: wallMs, answered: false };
    this.attempts.set(orderId, info);
    return info;
  }

  /**
   * The outcome of `clientOrderId` came out: `unknown` keeps its command for later settling,
   * any other kind ends it.
   */
  outcome(clientOrderId: string, unknown: boolean): void {
    const cmd = this.pending.get(clientOrderId);
    if (unknown && cmd !== undefined) this.unknown.set(clientOrderId, cmd);
    this.pending.delete(clientOrderId);
  }

  /**
   * Takes over a command an earlier process sent (a live restart): its attempts (order ids) and,
   * when known, the wall time (ms) each was signed; its outcome is unknown.
   */
  adopt(cmd: OrderCommand, orderIds: readonly string[], signedMs?: readonly number[]): void {
    this.seen.add(cmd.clientOrderId);
    this.sentIds.set(cmd.clientOrderId, [...orderIds]);
    orderIds.forEach((id, i) => {
      const at = signedMs?.[i];
      if (at !== undefined) this.attempts.set(id, { signedAtMs: at, answered: false });
    });
    this.unknown.set(cmd.clientOrderId, cmd);
  }

  /** The unknown command of `clientOrderId`, if any. */
  unknownCommand(clientOrderId: string): OrderCommand | undefined {
    return this.unknown.get(clientOrderId);
  }

  /** Ends an unknown command (settled by the venue's answer or by the caller). */
  settled(clientOrderId: string): void {
    this.unknown.delete(clientOrderId);
  }

  /** Client order ids whose outcome is unknown. */
  unknownIds(): string[] {
    return [...this.unknown.keys()];
  }

  /** True while an outcome is unknown. */
  get hasUnknown(): boolean {
    return this.unknown.size > 0;
  }

  /** Wall time (ms) the latest attempt of a command was signed; 0 when unknown. */
  latestSignedAt(clientOrderId: string): number {
    let at = 0;
    for (const id of this.orderIdsOf(clientOrderId))
      at = Math.max(at, this.attempts.get(id)?.signedAtMs ?? 0);
    return at;
  }

  /** Order ids signed for a command, in attempt order. */
  orderIdsOf(clientOrderId: string): readonly string[] {
    return this.sentIds.get(clientOrderId) ?? [];
  }

  /**
   * Whether a `404` for `orderId` is final (issue #8 point 1): once its POST answered, or once
   * `timeoutMs + graceMs` passed since it was signed (`nowWallMs`); an attempt of unknown
   * signing time is final.
   */
  notFoundIsFinal(orderId: string, nowWallMs: number, timeoutMs: number, graceMs: number): boolean {
    const a = this.attempts.get(orderId);
    if (a === undefined || a.answered) return true;
    return nowWallMs - a.signedAtMs > timeoutMs + graceMs;
  }
}
