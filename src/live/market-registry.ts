/**
 * The markets of the live loop (issue #4, #8 point 2 and 8; issue #10): each window's chain ids,
 * the index from token id to window and side, the market checks (neg-risk, protocol version,
 * position ids: `checkMarket`) and the windows whose outcome is settled (never reconciled again).
 */
import { windowKey, windowSlug } from '../core/ids';
import type { Side, WindowRef } from '../core/types';
import { windowEndMs } from '../core/types';
import { canonicalTokenId } from '../chain/balances';
import type { RecordingSink } from '../engine/recording-sink';
import type { Logger } from '../platform/logger';
import type { LiveMarket } from './ports';

/** Options of a {@link MarketRegistry}. */
export interface MarketRegistryOptions {
  /** The journal buffer: each registered window's row carries its chain ids (issue #9). */
  readonly journal: RecordingSink;
  readonly log: Logger;
  /** The collector's markets (a window first seen in a tick is registered from here). */
  readonly markets: () => readonly LiveMarket[];
  /** See `LiveSessionOptions.checkMarket`; absent = every market is traded. */
  readonly checkMarket?: (m: LiveMarket) => Promise<string | null>;
  /** Bounds a check (the session's call timeout). */
  readonly bounded: <T>(what: string, p: Promise<T>) => Promise<T>;
  /** Counts a refused market. */
  readonly onRefused: () => void;
  /** Counts a window newly settled. */
  readonly onSettled: () => void;
}

/** Markets by window key, their tokens and their checks. */
export class MarketRegistry {
  private readonly byKey = new Map<string, LiveMarket>();
  private readonly tokenIndex = new Map<string, { market: LiveMarket; side: Side }>();
  /** Market checks by window key: in progress, traded (`null`) or refused (the reason). */
  private readonly checks = new Map<string, Promise<void> | string | null>();
  private readonly settled = new Set<string>();

  /** Creates an empty registry. */
  constructor(private readonly o: MarketRegistryOptions) {}

  /**
   * Registers a window's chain ids (the collector's markets, or stored windows on restart) and
   * starts its market check; ticks of the window are not traded until it passes.
   */
  add(m: LiveMarket): void {
    const key = windowKey(m.window);
    if (this.byKey.has(key)) return;
    this.byKey.set(key, m);
    // the journal's window rows carry the chain ids (issue #9: a window resolved before a crash
    // was stored with a synthetic condition id, and the restarted trader could not redeem it)
    this.o.journal.window({
      window: m.window,
      slug: windowSlug(m.window),
      conditionId: m.conditionId,
      upTokenId: m.upTokenId,
      downTokenId: m.downTokenId,
      startMs: m.window.windowEpoch * 1000,
      endMs: windowEndMs(m.window),
      tickSize: null,
      minOrderSize: null,
      negRisk: m.negRisk ?? false,
      active: true,
      closed: false,
    });
    this.tokenIndex.set(canonicalTokenId(m.upTokenId), { market: m, side: 'UP' });
    this.tokenIndex.set(canonicalTokenId(m.downTokenId), { market: m, side: 'DOWN' });
    const check = this.o.checkMarket;
    if (check === undefined) {
      this.checks.set(key, null);
      return;
    }
    const run = this.o
      .bounded('market check', check(m))
      .then((reason) => {
        this.checks.set(key, reason);
        if (reason !== null) {
          this.o.onRefused();
          this.o.log.warn({ window: key, conditionId: m.conditionId, reason }, 'market not traded');
        }
      })
      .catch((err: unknown) => {
        // checked again at the next poll
        this.checks.delete(key);
        this.byKey.delete(key);
        this.o.log.warn({ window: key, err: (err as Error).message }, 'market check failed; retried');
      });
    this.checks.set(key, run);
  }

  /** Registers the collector's markets. */
  addCurrent(): void {
    for (const m of this.o.markets()) this.add(m);
  }

  /** Waits for the market checks in progress (start-up, tests). */
  async checked(): Promise<void> {
    await Promise.all([...this.checks.values()].filter((v) => v instanceof Promise));
  }

  /**
   * Whether the market of window `key` (`windowKey`) passed its check (every market does without
   * `checkMarket`). A window first seen in a tick is registered from the collector's markets.
   */
  traded(key: string): boolean {
    if (this.o.checkMarket === undefined) return true;
    if (!this.checks.has(key)) {
      const m = this.o.markets().find((x) => windowKey(x.window) === key);
      if (m !== undefined) this.add(m);
    }
    return this.checks.get(key) === null;
  }

  /** The market of window key `key`. */
  get(key: string): LiveMarket | undefined {
    return this.byKey.get(key);
  }

  /** The market of `w`. */
  of(w: WindowRef): LiveMarket | undefined {
    return this.byKey.get(windowKey(w));
  }

  /** The window and side of a canonical token id. */
  token(canonicalId: string): { market: LiveMarket; side: Side } | undefined {
    return this.tokenIndex.get(canonicalId);
  }

  /** Canonical token ids of every registered window whose outcome is not settled. */
  unsettledTokens(): string[] {
    const out: string[] = [];
    for (const [key, m] of this.byKey) {
      if (this.settled.has(key)) continue;
      out.push(canonicalTokenId(m.upTokenId), canonicalTokenId(m.downTokenId));
    }
    return out;
  }

  /** Marks a window's outcome settled: its tokens are never reconciled again (issue #8 point 2). */
  settle(w: WindowRef): void {
    const key = windowKey(w);
    if (this.settled.has(key)) return;
    this.settled.add(key);
    this.o.onSettled();
  }
}
