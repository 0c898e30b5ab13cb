/**
 * The live collector (issue #3): discovers each window through Gamma, subscribes its UP/DOWN tokens
 * before it opens and drops them after it resolves, keeps exact L2 books from the market channel,
 * tracks the Chainlink spot over RTDS (start price, expected winner at the end), and hands every
 * book update on as a tick — to persistence (ticks and raw frames, in batches), to an optional
 * recording file, and to an optional consumer (the trader in `sim` mode). I/O edge around the pure
 * `FeedProcessor`; never throws from a callback: failures are logged and counted.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { Tick } from '../core/types';
import type { MarketEvent } from '../core/market-events';
import { MarketWsClient } from '../feed/market-ws';
import { parseMarketFrame } from '../feed/market-parse';
import { RtdsClient } from '../feed/rtds-client';
import { parseRtdsFrame } from '../feed/rtds-parse';
import { fetchBook, fetchMarketBySlug, type HttpEndpoints } from '../market/gamma-client';
import type { MarketInfo } from '../market/market-info';
import { settlesOnChainlink, WindowOracle } from '../market/window-oracle';
import { windowRecordOf } from '../market/window-record';
import { slugFor, windowEpochsBetween } from '../market/windows';
import type { RawFrameRecord, TickRecord } from '../persistence/records';
import type { Repository } from '../persistence/repository';
import { FeedProcessor, type FeedTick } from '../feed/feed-processor';
import type { FrameRecorder } from '../feed/frame-recorder';

/** Options of a collector. */
export interface CollectorOptions extends HttpEndpoints {
  readonly marketWsUrl: string;
  /** RTDS URL; empty = no spot feed. */
  readonly rtdsUrl: string;
  /** Upper-case cryptos, e.g. `['BTC']`. */
  readonly cryptos: readonly string[];
  /** Window lengths in seconds, e.g. `[900]`. */
  readonly intervalsSec: readonly number[];
  /** Wall clock: receive times, silence watchdogs. */
  readonly clock: Clock;
  /** The venue's clock for window discovery (default `clock`); a local exchange plays recorded time. */
  readonly venueClock?: Clock;
  readonly random: () => number;
  readonly log: Logger;
  readonly staleBookMs: number;
  readonly discoveryIntervalMs: number;
  /** Subscribe a window this long before it opens, ms. */
  readonly subscribeAheadMs: number;
  /** Keep a window this long after its end before unsubscribing, ms. */
  readonly unsubscribeAfterMs: number;
  readonly pingIntervalMs?: number;
  readonly reconnect?: { baseMs: number; maxMs: number };
  /** Persistence (ticks, raw frames, windows); null = none. */
  readonly repo: Repository | null;
  readonly runId: number;
  /** Flush buffered rows this often, ms. */
  readonly flushIntervalMs?: number;
  /** Most rows kept per buffer (ticks, raw frames) while the database fails (default 1,000,000). */
  readonly maxBufferedRows?: number;
  readonly recorder?: FrameRecorder | null;
  /**
   * Called with each market frame's lag, ms: receive time (on the venue's clock when there is one)
   * minus the venue timestamp of its newest event (the feed-lag histogram of issue #13).
   */
  readonly onFeedLag?: (ms: number) => void;
  /** Receives each tick (e.g. the trader in sim mode); see also {@link Collector.setTickListener}. */
  readonly onTick?: (tick: Tick) => void;
}

/** Live numbers for the status line. */
export interface CollectorStatus {
  readonly windows: number;
  readonly frames: number;
  readonly bookUpdates: number;
  readonly staleTokens: number;
  readonly staleDetected: number;
  readonly reconnects: number;
  readonly malformed: number;
  readonly ticksPersisted: number;
  readonly discoveryErrors: number;
  readonly writeErrors: number;
  /** Rows dropped because the database kept failing and the buffer was full. */
  readonly rowsDropped: number;
  readonly spot: number | null;
}

/** How long (venue ms) a retired window waits for the spot feed before it is stored unsettled. */
const SETTLE_TIMEOUT_MS = 5 * 60_000;

/** Most rows kept in memory while the database fails (per buffer), unless `maxBufferedRows` says. */
const MAX_BUFFERED = 1_000_000;

const SYMBOLS: Readonly<Record<string, string>> = {
  BTC: 'btc/usd',
  ETH: 'eth/usd',
  SOL: 'sol/usd',
  XRP: 'xrp/usd',
};

/** The collector. */
export class Collector {
  readonly feed = new FeedProcessor();
  readonly ws: MarketWsClient;
  readonly rtds: RtdsClient | null;
  private readonly oracles = new Map<string, WindowOracle>();
  private readonly known = new Map<string, MarketInfo>();
  private readonly pending = new Set<string>();
  /** Retired windows waiting for the spot feed to pass their end. */
  private unsettled: MarketInfo[] = [];
  private ticks: TickRecord[] = [];
  private frames: RawFrameRecord[] = [];
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private lastSpot: number | null = null;
  private ticksPersisted = 0;
  private discoveryErrors = 0;
  private writeErrors = 0;
  private rowsDropped = 0;

  private tickListener: ((tick: Tick) => void) | undefined;

  /** Wires the clients; nothing runs until `start`. */
  constructor(private readonly opts: CollectorOptions) {
    this.tickListener = opts.onTick;
    this.ws = new MarketWsClient({
      url: opts.marketWsUrl,
      clock: opts.clock,
      random: opts.random,
      parse: parseMarketFrame,
      staleBookMs: opts.staleBookMs,
      ...(opts.pingIntervalMs === undefined ? {} : { pingIntervalMs: opts.pingIntervalMs }),
      ...(opts.reconnect === undefined ? {} : { backoff: opts.reconnect }),
      onFrame: (text, recvMs, parsed) => {
        const venueTsMs = latestVenueTs(parsed.events);
        this.frames.push({ channel: 'market', recvMs, venueTsMs, text });
        // recorded at the time its ticks carry (the venue's clock on a local exchange, read once),
        // so that a replay of the recording sees exactly the ticks the trader saw (issue #11)
        const tickMs = this.tickMs(recvMs);
        if (venueTsMs !== null) opts.onFeedLag?.(tickMs - venueTsMs);
        opts.recorder?.frame('market', text, tickMs);
        this.emit(this.feed.onParsedFrame(text, parsed, tickMs, (t) => this.ws.isStale(t)));
      },
      onRecovered: (book, recvMs) =>
        this.emit(this.feed.onEvents([book], this.tickMs(recvMs), (t) => this.ws.isStale(t))),
      fetchBook: async (tokenId) => {
        const { event, text } = await fetchBook(opts, tokenId, this.tickMs(opts.clock.now()));
        const recvMs = opts.clock.now();
        this.frames.push({ channel: 'rest', recvMs, venueTsMs: latestVenueTs([event]), text });
        opts.recorder?.frame('rest', text, this.tickMs(recvMs));
        return event;
      },
      onRejected: (reasons) => opts.log.debug({ reasons: reasons.slice(0, 3) }, 'malformed market frame'),
    });
    this.rtds =
      opts.rtdsUrl === ''
        ? null
        : new RtdsClient({
            url: opts.rtdsUrl,
            symbols: opts.cryptos.map((c) => SYMBOLS[c] ?? `${c.toLowerCase()}/usd`),
            clock: opts.clock,
            random: opts.random,
            parse: parseRtdsFrame,
            onFrame: (text, recvMs, prices) => {
              const venueTsMs = prices.length === 0 ? null : Math.max(...prices.map((p) => p.tsMs));
              this.frames.push({ channel: 'rtds', recvMs, venueTsMs, text });
              opts.recorder?.frame('rtds', text, this.tickMs(recvMs));
            },
            onPrices: (prices) => {
              for (const p of prices) {
                const crypto = p.symbol.split('/')[0]!.toUpperCase();
                let o = this.oracles.get(crypto);
                if (o === undefined) this.oracles.set(crypto, (o = new WindowOracle()));
                o.add(p);
                this.feed.setSpot(crypto, p.value);
                this.lastSpot = p.value;
              }
              this.settle();
            },
          });
  }
  /**
   * Sets the receiver of each tick (the trader, built after the collector because it reads the
   * collector's books and markets: issue #10's dependency order). Replaces `onTick`.
   */
  setTickListener(listener: (tick: Tick) => void): void {
    this.tickListener = listener;
  }

  /** Tick time: the venue's clock when one is given (a local exchange's playback), else receive time. */
  private tickMs(recvMs: number): number {
    return this.opts.venueClock?.now() ?? recvMs;
  }

  /** Starts discovery, the sockets and the flush timer. */
  async start(): Promise<void> {
    this.ws.start();
    this.rtds?.start();
    await this.discover();
    this.timers.push(setInterval(() => void this.discover(), this.opts.discoveryIntervalMs));
    this.timers.push(setInterval(() => void this.flush(), this.opts.flushIntervalMs ?? 1000));
  }

  /** Stops everything and writes what is buffered. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.ws.stop();
    await this.rtds?.stop();
    await this.flush();
    await this.opts.recorder?.close();
  }

  /** The tracked windows. */
  windows(): MarketInfo[] {
    return [...this.known.values()];
  }

  /** Numbers for the status line. */
  status(): CollectorStatus {
    const c = this.ws.snapshot();
    return {
      windows: this.known.size,
      frames: c.frames,
      bookUpdates: this.feed.counters.bookUpdates,
      staleTokens: this.ws.staleTokens().length,
      staleDetected: c.staleDetected,
      reconnects: c.reconnects,
      malformed: c.rejected,
      ticksPersisted: this.ticksPersisted,
      discoveryErrors: this.discoveryErrors,
      writeErrors: this.writeErrors,
      rowsDropped: this.rowsDropped,
      spot: this.lastSpot,
    };
  }

  /** Finds new windows to subscribe and retires ended ones. */
  async discover(): Promise<void> {
    const now = (this.opts.venueClock ?? this.opts.clock).now();
    const wanted: string[] = [];
    for (const crypto of this.opts.cryptos) {
      for (const sec of this.opts.intervalsSec) {
        for (const epoch of windowEpochsBetween(sec, now, now + this.opts.subscribeAheadMs)) {
          wanted.push(slugFor({ crypto, windowSec: sec, windowEpoch: epoch }));
        }
      }
    }
    await Promise.all(
      wanted.filter((s) => !this.known.has(s) && !this.pending.has(s)).map((s) => this.add(s)),
    );
    for (const info of [...this.known.values()]) {
      if (now >= info.endMs + this.opts.unsubscribeAfterMs) this.retire(info);
    }
    this.settle();
  }

  private async add(slug: string): Promise<void> {
    this.pending.add(slug);
    try {
      const info = await fetchMarketBySlug(this.opts, slug);
      if (info === null || this.known.has(slug)) return;
      this.known.set(slug, info);
      this.feed.addWindow(info);
      this.ws.subscribe([info.upTokenId, info.downTokenId]);
      this.opts.recorder?.window(info, this.tickMs(this.opts.clock.now()));
      await this.opts.repo?.upsertWindows([windowRecordOf(info)]);
      this.opts.log.info({ slug, up: info.upTokenId, down: info.downTokenId }, 'window subscribed');
    } catch (err) {
      this.discoveryErrors += 1;
      this.opts.log.warn({ slug, err: (err as Error).message }, 'window discovery failed');
    } finally {
      this.pending.delete(slug);
    }
  }

  private retire(info: MarketInfo): void {
    this.known.delete(info.slug);
    this.ws.unsubscribe([info.upTokenId, info.downTokenId]);
    this.feed.removeWindow(info);
    this.unsettled.push(info);
    this.settle();
  }

  /**
   * Stores the oracle settlement of retired windows once the spot feed has passed their end (it can
   * lag the market feed), or without it after `SETTLE_TIMEOUT_MS` of venue time.
   */
  private settle(): void {
    if (this.unsettled.length === 0) return;
    const now = (this.opts.venueClock ?? this.opts.clock).now();
    this.unsettled = this.unsettled.filter((info) => {
      const oracle = this.oracles.get(info.window.crypto);
      const caughtUp = oracle !== undefined && oracle.latestTs() >= info.endMs;
      if (!caughtUp && now < info.endMs + SETTLE_TIMEOUT_MS && this.rtds !== null) return true;
      const settled = settlesOnChainlink(info.window.windowSec)
        ? (oracle?.expectedWinner(info.startMs, info.endMs) ?? null)
        : null;
      this.opts.log.info(
        { slug: info.slug, expectedWinner: settled?.winner ?? null },
        'window settled by the oracle',
      );
      this.opts.repo
        ?.upsertWindows([windowRecordOf(info, settled)])
        .catch((err: unknown) => this.writeFailed(err));
      return false;
    });
  }

  private emit(ticks: readonly FeedTick[]): void {
    for (const { tick, venueTsMs } of ticks) {
      this.ticks.push(tickRecord(tick, venueTsMs));
      try {
        this.tickListener?.(tick);
      } catch (err) {
        this.opts.log.error({ err: (err as Error).message }, 'tick consumer failed');
      }
    }
  }

  /**
   * Writes buffered ticks and raw frames, one write at a time. A failed batch is logged, counted and
   * kept for the next flush (never silently lost); beyond `MAX_BUFFERED` rows the oldest are dropped
   * and counted in `rowsDropped`.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const repo = this.opts.repo;
      const ticks = this.ticks;
      const frames = this.frames;
      this.ticks = [];
      this.frames = [];
      if (repo === null) {
        this.ticksPersisted += ticks.length;
        return;
      }
      if (ticks.length > 0) {
        try {
          await repo.insertTicks(this.opts.runId, ticks);
          this.ticksPersisted += ticks.length;
        } catch (err) {
          this.writeFailed(err);
          this.ticks = this.requeue(ticks, this.ticks);
        }
      }
      if (frames.length > 0) {
        try {
          await repo.insertRawFrames(this.opts.runId, frames);
        } catch (err) {
          this.writeFailed(err);
          this.frames = this.requeue(frames, this.frames);
        }
      }
    });
    return this.flushing;
  }

  /** Puts a failed batch back in front of what arrived since, within the buffer cap. */
  private requeue<T>(failed: T[], since: T[]): T[] {
    const all = failed.concat(since);
    const over = all.length - (this.opts.maxBufferedRows ?? MAX_BUFFERED);
    if (over <= 0) return all;
    this.rowsDropped += over;
    return all.slice(over);
  }

  private writeFailed(err: unknown): void {
    this.writeErrors += 1;
    this.opts.log.error({ err: (err as Error).message }, 'database write failed');
  }
}

function tickRecord(t: Tick, venueTsMs: number): TickRecord {
  return {
    tsMs: venueTsMs,
    recvMs: t.tsMs,
    crypto: t.window.crypto,
    windowSec: t.window.windowSec,
    windowEpoch: t.window.windowEpoch,
    upBid: t.up.bid,
    upAsk: t.up.ask,
    upBidSize: t.up.bidSize,
    upAskSize: t.up.askSize,
    downBid: t.down.bid,
    downAsk: t.down.ask,
    downBidSize: t.down.bidSize,
    downAskSize: t.down.askSize,
    spot: t.spot,
  };
}

function latestVenueTs(events: readonly MarketEvent[]): number | null {
  let ts: number | null = null;
  for (const e of events) if (ts === null || e.venueTsMs > ts) ts = e.venueTsMs;
  return ts;
}
