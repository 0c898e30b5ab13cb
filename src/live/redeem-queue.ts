/**
 * The redeem queue of the live loop (issue #4, #8 point 7, #9; issue #10): windows whose tokens
 * wait for resolution on chain, redeemed (`redeemPositions`) once resolved, with the payout read
 * from the receipt recorded on each held position. Also the sale dust (design §7): a position
 * closed by a sale may leave < 0.01 share on chain, which reconciliation must not call `extra`
 * and which is redeemed with its window. Amounts: micro-shares / micro-USDC.
 */
import type { Clock } from '../core/clock';
import { windowKey } from '../core/ids';
import type { WindowRef } from '../core/types';
import { canonicalTokenId } from '../chain/balances';
import type { RedeemResult } from '../chain/redeem';
import type { Logger } from '../platform/logger';
import type { LiveTrader } from '../trader/live-trader';
import type { Position } from '../trader/position';
import type { LiveStats } from './live-stats';
import type { MarketRegistry } from './market-registry';
import type { LiveChain } from './ports';

interface RedeemEntry {
  readonly conditionId: string;
  readonly window: WindowRef;
  readonly positions: Position[];
}

/** What the queue works with. */
export interface RedeemQueueDeps {
  readonly chain: LiveChain;
  readonly markets: MarketRegistry;
  readonly trader: LiveTrader;
  /** The trader's clock (venue time). */
  readonly clock: Clock;
  readonly stats: LiveStats;
  readonly log: Logger;
  /** Bounds a chain call (the session's call timeout). */
  readonly bounded: <T>(what: string, p: Promise<T>) => Promise<T>;
}

/** Conditions waiting for resolution or redeem, and the sale dust by token. */
export class RedeemQueue {
  private readonly queue = new Map<string, RedeemEntry>();
  /** Positions closed by a sale per canonical token id (each may leave dust). */
  private readonly salesByToken = new Map<string, number>();
  /** Windows with dust left by sales: redeemed at resolution like held positions. */
  private readonly dustWindows = new Set<string>();

  /** Creates an empty queue. */
  constructor(private readonly d: RedeemQueueDeps) {}

  /** Conditions waiting. */
  get size(): number {
    return this.queue.size;
  }

  /** Sales counted on a canonical token id (each may leave dust). */
  salesOf(canonicalId: string): number {
    return this.salesByToken.get(canonicalId) ?? 0;
  }

  /** Sales by canonical token id (reconciliation's dust allowance). */
  get sales(): ReadonlyMap<string, number> {
    return this.salesByToken;
  }

  /** Counts a position closed by a sale of `tokenId` in `w`. */
  countSale(tokenId: string, w: WindowRef): void {
    const id = canonicalTokenId(tokenId);
    this.salesByToken.set(id, (this.salesByToken.get(id) ?? 0) + 1);
    this.dustWindows.add(windowKey(w));
  }

  /** A window resolved: its sale dust (if any) is redeemed with it. */
  onWindowResolved(w: WindowRef): void {
    if (this.dustWindows.delete(windowKey(w))) this.add(w);
  }

  /**
   * Queues the redeem of a window (after its resolution on chain), with `p` when given: the
   * position whose payout is recorded. Without `p` (dust of sales, tokens found by
   * reconciliation) nothing is recorded on a position.
   */
  add(w: WindowRef, p?: Position): void {
    const m = this.d.markets.of(w);
    if (m === undefined) {
      this.d.log.warn(
        { window: windowKey(w) },
        'redeem: the window has no known condition id; redeem it by hand',
      );
      return;
    }
    let e = this.queue.get(m.conditionId);
    if (e === undefined) {
      e = { conditionId: m.conditionId, window: w, positions: [] };
      this.queue.set(m.conditionId, e);
    }
    if (p !== undefined && !e.positions.some((q) => q.key === p.key)) e.positions.push(p);
  }

  /** Canonical token ids of the windows awaiting redeem (reconciliation leaves them alone). */
  busyTokens(): string[] {
    const out: string[] = [];
    for (const e of this.queue.values()) {
      const m = this.d.markets.of(e.window);
      if (m === undefined) continue;
      out.push(canonicalTokenId(m.upTokenId), canonicalTokenId(m.downTokenId));
    }
    return out;
  }

  /**
   * Redeems every queued condition the chain has resolved and records on each position what the
   * redeem transaction paid (issue #8 point 7): the payout read from the receipt's
   * `PayoutRedemption` event, shared among the window's positions by their predicted payouts
   * (0 when the transaction paid 0, whatever was predicted). A funder this trader cannot redeem for
   * (proxy/Safe) is told once per window; its tokens stay with the wallet and the window is settled.
   * @throws the chain reader's error (the rest waits for the next poll).
   */
  async redeemResolved(): Promise<void> {
    const { chain, markets, stats, log } = this.d;
    for (const e of [...this.queue.values()]) {
      const state = await this.d.bounded('payout', chain.payout(e.conditionId));
      if (!state.resolved) continue;
      markets.settle(e.window);
      const redeem = chain.redeem;
      const m = markets.of(e.window);
      if (redeem === null) {
        this.queue.delete(e.conditionId);
        stats.unredeemable += 1;
        log.warn(
          { conditionId: e.conditionId, window: windowKey(e.window) },
          'resolved: this funder type redeems through its wallet (the Polymarket UI); the tokens are left there',
        );
        continue;
      }
      const held =
        m === undefined
          ? new Map<string, bigint>()
          : await this.d.bounded(
              'redeem balances',
              chain.outcomeBalances(chain.owner, [m.upTokenId, m.downTokenId]),
            );
      let total = 0n;
      for (const v of held.values()) total += v;
      let result: RedeemResult | null = null;
      if (total > 0n) {
        try {
          result = await redeem(e.conditionId);
        } catch (err) {
          stats.redeemErrors += 1;
          log.warn(
            { conditionId: e.conditionId, err: (err as Error).message },
            'redeem failed; retried next poll',
          );
          continue;
        }
      }
      this.queue.delete(e.conditionId);
      if (m !== undefined) {
        this.salesByToken.delete(canonicalTokenId(m.upTokenId));
        this.salesByToken.delete(canonicalTokenId(m.downTokenId));
      }
      this.record(e, state.numerators, state.denominator, result, m !== undefined);
    }
  }

  /** Records the payout of a redeemed (or already redeemed) window on its positions. */
  private record(
    e: RedeemEntry,
    numerators: readonly bigint[],
    denominator: bigint,
    result: RedeemResult | null,
    known: boolean,
  ): void {
    const { stats, log } = this.d;
    const now = this.d.clock.now();
    const predicted = e.positions.map((p) => {
      const num = numerators[p.side === 'UP' ? 0 : 1] ?? 0n;
      return (BigInt(p.shares) * num) / denominator;
    });
    const predictedTotal = predicted.reduce((a, b) => a + b, 0n);
    // no token of the window left: it was redeemed already (issue #9: a process killed between
    // the redeem transaction and its record, or a redeem by hand); the resolved payout of the
    // positions' shares went to the wallet, so it is recorded (without a transaction hash)
    const already = result === null && known && predictedTotal > 0n;
    if (already)
      log.warn(
        { conditionId: e.conditionId, payoutMicros: predictedTotal.toString() },
        'resolved window already redeemed (before a restart, or by hand): its resolved payout is recorded',
      );
    const paid = result?.payoutMicros ?? (already ? predictedTotal : 0n);
    if (paid !== predictedTotal)
      log.warn(
        { conditionId: e.conditionId, predicted: predictedTotal.toString(), paid: paid.toString() },
        'redeem paid other than predicted; the payout read from the receipt is recorded',
      );
    e.positions.forEach((p, i) => {
      const share = predicted[i] ?? 0n;
      // what the receipt paid, shared by predicted payout; never more than this position's shares are worth
      const proceeds = predictedTotal === 0n ? 0 : Number((paid * share) / predictedTotal);
      const data = {
        conditionId: e.conditionId,
        txHash: result?.txHash ?? null,
        blockNumber: result?.blockNumber ?? null,
        windowPayoutMicros: paid.toString(),
        predictedMicros: share.toString(),
        ...(already ? { alreadyRedeemed: true } : {}),
      };
      this.d.trader.correct(
        { kind: 'payout', position: p, proceeds: Math.min(proceeds, Number(share)), data },
        now,
      );
      if (proceeds > 0 && result !== null) stats.redeemed += 1;
    });
    stats.redeemPayoutMicros += Number(result?.payoutMicros ?? 0n);
    log.info(
      { conditionId: e.conditionId, txHash: result?.txHash ?? null, payoutMicros: String(paid) },
      'redeemed',
    );
  }
}
