/**
 * Fault switches of the local CLOB (issues #4, #8), each applying to the next `n` `POST /order`
 * requests: FOK kill, an HTTP error (425 / 429 / 500 with the venue's bodies, polymarket-protocol.md
 * §5.7 and probe §4.1), `order_version_mismatch` (probe §4.3), a 500 after the fill (an ambiguous
 * 5xx), and a timeout after the fill (the fill is applied, the socket is held for `holdMs` and then
 * destroyed). `settlementDelayMs` makes balances lag fills.
 *
 * Issue #8 point 1: the status spellings of the venue (protocol §3.7, §5.4, with the prefixed and
 * British variants seen in the wild): the POST reply and `GET /data/order/:id` answer in the given
 * spelling; `LIVE` / `DELAYED` answer `live` / `delayed` and match only `delayedMatchMs` later
 * (the record shows the pending status until then); an answer delay holds the request before it
 * is processed (a POST still in flight). Point 12: `stats` count a fault only when the path it
 * exercises ran (`errorsAfterFill` after a real fill; `pendingBalanceRefusals` when a SELL met a
 * balance still settling). Driven in code or by `POST /_control/fault` (see
 * {@link ClobFaultCommandSchema}).
 *
 * Issue #9 (a kill -9 at every step of an order): a market-info hold keeps the order *building*
 * requests (`GET /markets-by-token/:id`, `/clob-markets/:cid`) waiting before they are answered
 * (the order is journaled, not yet signed), and a dropped post loses `POST /order` requests in the
 * network: never processed, never counted in `orderPosts`, the socket held then destroyed.
 */
import { z } from 'zod';
import type { WireOrderRecord } from './matching';

/**
 * Status spellings the CLOB can answer in (issue #8 point 1). `MATCHED` / `matched` /
 * `ORDER_STATUS_MATCHED` spell a fill (POST reply and order record); `associate_trades_null` is a
 * matched record with `associate_trades: null` (only `size_matched` tells the fill); `CANCELLED`
 * / `canceled` / `ORDER_STATUS_CANCELED` spell a kill's record; `LIVE` / `DELAYED` answer the
 * POST `live` / `delayed` and match `delayedMatchMs` later.
 */
export const STATUS_SPELLINGS = [
  'MATCHED',
  'matched',
  'ORDER_STATUS_MATCHED',
  'associate_trades_null',
  'CANCELLED',
  'canceled',
  'ORDER_STATUS_CANCELED',
  'LIVE',
  'DELAYED',
] as const;
/** One of {@link STATUS_SPELLINGS}. */
export type StatusSpelling = (typeof STATUS_SPELLINGS)[number];

/** HTTP statuses the error switch can answer with. */
export type ClobHttpFault = 425 | 429 | 500;

/** Bodies of the injected HTTP errors. */
export const HTTP_FAULT_BODY: Readonly<Record<ClobHttpFault, { error: string }>> = {
  425: { error: 'service not ready' },
  429: { error: 'Too Many Requests' },
  500: { error: 'could not run the execution' },
};

/** Counters of faults that fired (issue #8 point 12: only when the path they exercise ran). */
export interface ClobFaultStats {
  killed: number;
  /** HTTP errors answered instead of processing an order (425 / 429 / 500). */
  httpErrors: number;
  versionMismatches: number;
  timeouts: number;
  /** 500s answered after the order really filled (`errorAfterFill`). */
  errorsAfterFill: number;
  /** SELLs refused for balance (`POST /order`) while a settlement of that token was pending. */
  pendingBalanceRefusals: number;
  /**
   * Token balance reads (`GET /balance-allowance`, CONDITIONAL — a SELL's pre-check) answered while
   * a settlement of that token was pending: the SELL met the unsettled balance before posting.
   */
  pendingBalanceReads: number;
  /** Orders answered `live` / `delayed` and matched later. */
  delayedMatches: number;
  /** Requests held before processing (`answerDelay`). */
  answerDelays: number;
  /** Fills answered with trade ids but no transaction hashes (`noTxHash`). */
  unsettledTrades: number;
  /** Distinct status spellings served (POST replies and order records). */
  statusSpellings: number;
  /** Market-info requests (`/markets-by-token`, `/clob-markets`) held before their answer (issue #9). */
  marketInfoHolds: number;
  /** `POST /order` requests dropped unprocessed (`dropPost`, issue #9). */
  droppedPosts: number;
  /** Answers served per spelling. */
  spellingsServed: Record<string, number>;
  /** SELL orders killed by `killSellNext` (issue #11: a killed live exit). */
  sellsKilled: number;
  /** BUY orders matched against a book moved against them (`slipNext`, issue #11). */
  slipped: number;
}

/** Mutable fault state. */
export class ClobFaults {
  private kills = 0;
  private sellKills = 0;
  private slips = 0;
  private http: ClobHttpFault[] = [];
  private mismatches = 0;
  private timeouts = 0;
  private errorsAfterFill = 0;
  private spellings: StatusSpelling[] = [];
  private noHashes = 0;
  private answerDelays: number[] = [];
  private onAnswerHold: (() => void) | null = null;
  private marketInfoHoldsMs: number[] = [];
  private drops: number[] = [];
  private readonly spelled = new Map<string, StatusSpelling>();
  private readonly pendingMatch = new Set<string>();
  private readonly settling = new Map<string, number>();
  /** How long a timed-out response holds the socket before destroying it, ms. */
  holdMs = 1_000;
  /** Delay between a fill and its balance change, ms (0 = immediate). */
  settlementDelayMs = 0;
  /** How long a `LIVE` / `DELAYED` order waits before it is matched, ms. */
  delayedMatchMs = 300;
  /** Counters. */
  readonly stats: ClobFaultStats = {
    killed: 0,
    httpErrors: 0,
    versionMismatches: 0,
    timeouts: 0,
    errorsAfterFill: 0,
    pendingBalanceRefusals: 0,
    pendingBalanceReads: 0,
    delayedMatches: 0,
    answerDelays: 0,
    unsettledTrades: 0,
    statusSpellings: 0,
    marketInfoHolds: 0,
    droppedPosts: 0,
    spellingsServed: {},
    sellsKilled: 0,
    slipped: 0,
  };

  /** Kills the next `n` orders as unfilled FOKs. */
  killNext(n = 1): void {
    this.kills += n;
  }
  /**
   * Kills the next `n` SELL orders as unfilled FOKs (BUYs pass): a killed live exit the paper
   * twin does not see (issue #11 parity rehearsal).
   */
  killSellNext(n = 1): void {
    this.sellKills += n;
  }
  /**
   * Matches the next `n` BUY orders against their book moved one tick against them (every ask one
   * tick higher) just before matching: a live fill at a worse price than the book the paper twin
   * saw (issue #11 parity rehearsal). The displayed book does not change.
   */
  slipNext(n = 1): void {
    this.slips += n;
  }
  /** Takes a pending SELL kill (for a SELL order). */
  takeSellKill(): boolean {
    if (this.sellKills === 0) return false;
    this.sellKills--;
    this.stats.sellsKilled++;
    return true;
  }
  /** Takes a pending slip (for a BUY order). */
  takeSlip(): boolean {
    if (this.slips === 0) return false;
    this.slips--;
    this.stats.slipped++;
    return true;
  }
  /** Answers the next `n` orders with `status`. */
  httpErrorNext(status: ClobHttpFault, n = 1): void {
    for (let i = 0; i < n; i++) this.http.push(status);
  }
  /** Answers the next `n` orders with 400 `order_version_mismatch`. */
  versionMismatchNext(n = 1): void {
    this.mismatches += n;
  }
  /** Fills the next `n` orders but never answers (socket held `holdMs`, then destroyed). */
  timeoutAfterFillNext(n = 1, holdMs?: number): void {
    this.timeouts += n;
    if (holdMs !== undefined) this.holdMs = holdMs;
  }
  /** Fills the next `n` orders, then answers 500 as if the request had failed (ambiguous 5xx). */
  errorAfterFillNext(n = 1): void {
    this.errorsAfterFill += n;
  }
  /** Answers the next `n` orders (POST reply and order record) in `spelling`. */
  statusSpellingNext(spelling: StatusSpelling, n = 1): void {
    for (let i = 0; i < n; i++) this.spellings.push(spelling);
  }
  /**
   * Fills the next `n` orders with trades that never get a transaction hash (`status` MATCHED,
   * `transaction_hash` ""), and a reply with `tradeIDs` but empty `transactionsHashes` (probe §4.4:
   * the official client would poll `/data/trades` for 30 s).
   */
  noTxHashNext(n = 1): void {
    this.noHashes += n;
  }
  /** Takes a pending no-hash fill. */
  takeNoTxHash(): boolean {
    if (this.noHashes === 0) return false;
    this.noHashes--;
    this.stats.unsettledTrades++;
    return true;
  }
  /**
   * Holds the next `n` order posts `ms` before processing them (the order is in flight meanwhile).
   * `onHold` runs synchronously when a held post arrives (a test pauses playback there, so the
   * book the post is matched against after the hold is the book it arrived on).
   */
  answerDelayNext(ms: number, n = 1, onHold?: () => void): void {
    for (let i = 0; i < n; i++) this.answerDelays.push(ms);
    this.onAnswerHold = onHold ?? null;
  }
  /**
   * Holds the next `n` market-info requests (`GET /markets-by-token/:id`, `/clob-markets/:cid`:
   * what the client reads to build an order) `ms` before answering them (issue #9).
   */
  marketInfoHoldNext(ms: number, n = 1): void {
    for (let i = 0; i < n; i++) this.marketInfoHoldsMs.push(ms);
  }
  /** Takes the pending market-info hold of this request, ms (0 = none). */
  takeMarketInfoHold(): number {
    const ms = this.marketInfoHoldsMs.shift();
    if (ms === undefined || ms <= 0) return 0;
    this.stats.marketInfoHolds++;
    return ms;
  }
  /**
   * Drops the next `n` order posts (issue #9): the request is never processed (no order, no
   * `orderPosts` count), its socket is held `holdMs` (default 0) and then destroyed — a POST lost
   * between the trader and the venue.
   */
  dropPostNext(n = 1, holdMs = 0): void {
    for (let i = 0; i < n; i++) this.drops.push(holdMs);
  }
  /** Takes the pending drop of this post: how long to hold the socket, ms; `undefined` = none. */
  takeDrop(): number | undefined {
    const ms = this.drops.shift();
    if (ms !== undefined) this.stats.droppedPosts++;
    return ms;
  }
  /** Clears every switch (not the spellings already given to orders, nor the counters). */
  reset(): void {
    this.kills = 0;
    this.sellKills = 0;
    this.slips = 0;
    this.http = [];
    this.mismatches = 0;
    this.timeouts = 0;
    this.errorsAfterFill = 0;
    this.spellings = [];
    this.answerDelays = [];
    this.onAnswerHold = null;
    this.marketInfoHoldsMs = [];
    this.drops = [];
    this.noHashes = 0;
    this.settlementDelayMs = 0;
  }

  /** Takes the pending answer delay of this request, ms (0 = none). */
  takeAnswerDelay(): number {
    const ms = this.answerDelays.shift();
    if (ms === undefined || ms <= 0) return 0;
    this.stats.answerDelays++;
    this.onAnswerHold?.();
    return ms;
  }
  /** Takes the spelling of the next order and binds it to `orderId`. */
  takeSpelling(orderId: string): StatusSpelling | undefined {
    const sp = this.spellings.shift();
    if (sp !== undefined) this.spelled.set(orderId, sp);
    return sp;
  }
  /** Marks an order answered `live`/`delayed` as waiting for its match (`false` once matched). */
  setPendingMatch(orderId: string, pending: boolean): void {
    if (pending) this.pendingMatch.add(orderId);
    else if (this.pendingMatch.delete(orderId)) this.stats.delayedMatches++;
  }
  /** Counts one answer served in `spelling`. */
  served(spelling: StatusSpelling): void {
    const m = this.stats.spellingsServed;
    m[spelling] = (m[spelling] ?? 0) + 1;
    this.stats.statusSpellings = Object.keys(m).length;
  }
  /**
   * Returns the order record as `GET /data/order/:id` answers it in the order's spelling
   * (unchanged without one), counting the spelling served.
   */
  spellRecord(rec: WireOrderRecord): Record<string, unknown> {
    const sp = this.spelled.get(rec.id);
    if (sp === undefined) return { ...rec };
    this.served(sp);
    if (this.pendingMatch.has(rec.id))
      return { ...rec, status: sp, size_matched: '0', associate_trades: null };
    const matched = rec.status === 'MATCHED';
    switch (sp) {
      case 'MATCHED':
      case 'matched':
      case 'ORDER_STATUS_MATCHED':
        return matched ? { ...rec, status: sp } : { ...rec };
      case 'associate_trades_null':
        return matched ? { ...rec, associate_trades: null } : { ...rec };
      case 'CANCELLED':
      case 'canceled':
      case 'ORDER_STATUS_CANCELED':
        return matched ? { ...rec } : { ...rec, status: sp, associate_trades: null };
      default:
        return { ...rec };
    }
  }
  /** Notes a settlement of `asset` for `owner` that has not reached the balance yet (+1 / −1). */
  noteSettling(owner: string, asset: string, delta: 1 | -1): void {
    const k = `${owner.toLowerCase()}|${asset}`;
    const n = (this.settling.get(k) ?? 0) + delta;
    if (n > 0) this.settling.set(k, n);
    else this.settling.delete(k);
  }
  /** True while a settlement of `asset` for `owner` is pending. */
  isSettling(owner: string, asset: string): boolean {
    return this.settling.has(`${owner.toLowerCase()}|${asset}`);
  }

  /** Takes the pending HTTP error for this request, if any. */
  takeHttp(): ClobHttpFault | undefined {
    const s = this.http.shift();
    if (s !== undefined) this.stats.httpErrors++;
    return s;
  }
  /** Takes a pending version mismatch. */
  takeMismatch(): boolean {
    if (this.mismatches === 0) return false;
    this.mismatches--;
    this.stats.versionMismatches++;
    return true;
  }
  /** Takes a pending kill. */
  takeKill(): boolean {
    if (this.kills === 0) return false;
    this.kills--;
    this.stats.killed++;
    return true;
  }
  /** Takes a pending 500-after-fill. */
  takeErrorAfterFill(): boolean {
    if (this.errorsAfterFill === 0) return false;
    this.errorsAfterFill--;
    this.stats.errorsAfterFill++;
    return true;
  }
  /** Takes a pending timeout-after-fill. */
  takeTimeout(): boolean {
    if (this.timeouts === 0) return false;
    this.timeouts--;
    this.stats.timeouts++;
    return true;
  }
}

/** CLOB fault commands accepted by `POST /_control/fault` (next to the market-data faults). */
export const ClobFaultCommandSchema = z.discriminatedUnion('fault', [
  z.object({ fault: z.literal('fokKill'), n: z.number().int().positive().optional() }),
  z.object({
    fault: z.literal('httpError'),
    status: z.union([z.literal(425), z.literal(429), z.literal(500)]),
    n: z.number().int().positive().optional(),
  }),
  z.object({ fault: z.literal('versionMismatch'), n: z.number().int().positive().optional() }),
  z.object({ fault: z.literal('errorAfterFill'), n: z.number().int().positive().optional() }),
  z.object({
    fault: z.literal('timeoutAfterFill'),
    n: z.number().int().positive().optional(),
    holdMs: z.number().int().nonnegative().optional(),
  }),
  z.object({ fault: z.literal('settlementDelay'), ms: z.number().int().nonnegative() }),
  z.object({
    fault: z.literal('statusSpelling'),
    spelling: z.enum(STATUS_SPELLINGS),
    n: z.number().int().positive().optional(),
    /** For `LIVE` / `DELAYED`: how long until the match, ms. */
    matchAfterMs: z.number().int().nonnegative().optional(),
  }),
  z.object({
    fault: z.literal('answerDelay'),
    ms: z.number().int().positive(),
    n: z.number().int().positive().optional(),
  }),
  z.object({ fault: z.literal('noTxHash'), n: z.number().int().positive().optional() }),
  z.object({
    fault: z.literal('marketInfoHold'),
    ms: z.number().int().positive(),
    n: z.number().int().positive().optional(),
  }),
  z.object({
    fault: z.literal('dropPost'),
    n: z.number().int().positive().optional(),
    holdMs: z.number().int().nonnegative().optional(),
  }),
  z.object({ fault: z.literal('clobReset') }),
]);
/** A parsed CLOB fault command. */
export type ClobFaultCommand = z.infer<typeof ClobFaultCommandSchema>;

/** The CLOB fault names (to route `POST /_control/fault` bodies). */
export const CLOB_FAULT_NAMES: ReadonlySet<string> = new Set([
  'fokKill',
  'httpError',
  'versionMismatch',
  'errorAfterFill',
  'timeoutAfterFill',
  'settlementDelay',
  'statusSpelling',
  'answerDelay',
  'noTxHash',
  'marketInfoHold',
  'dropPost',
  'clobReset',
]);

/** Applies a parsed command to the switches. */
export function applyClobFault(f: ClobFaults, cmd: ClobFaultCommand): void {
  switch (cmd.fault) {
    case 'fokKill':
      return f.killNext(cmd.n ?? 1);
    case 'httpError':
      return f.httpErrorNext(cmd.status, cmd.n ?? 1);
    case 'versionMismatch':
      return f.versionMismatchNext(cmd.n ?? 1);
    case 'errorAfterFill':
      return f.errorAfterFillNext(cmd.n ?? 1);
    case 'timeoutAfterFill':
      return f.timeoutAfterFillNext(cmd.n ?? 1, cmd.holdMs);
    case 'settlementDelay':
      f.settlementDelayMs = cmd.ms;
      return;
    case 'statusSpelling':
      if (cmd.matchAfterMs !== undefined) f.delayedMatchMs = cmd.matchAfterMs;
      return f.statusSpellingNext(cmd.spelling, cmd.n ?? 1);
    case 'answerDelay':
      return f.answerDelayNext(cmd.ms, cmd.n ?? 1);
    case 'noTxHash':
      return f.noTxHashNext(cmd.n ?? 1);
    case 'marketInfoHold':
      return f.marketInfoHoldNext(cmd.ms, cmd.n ?? 1);
    case 'dropPost':
      return f.dropPostNext(cmd.n ?? 1, cmd.holdMs ?? 0);
    case 'clobReset':
      return f.reset();
  }
}
