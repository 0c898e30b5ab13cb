/**
 * The CLOB market-channel client (issue #3, polymarket-protocol.md §3): one `ws` socket, the
 * subscribe frame, a text `PING` every `pingIntervalMs`, frames parsed into domain events,
 * reconnects with exponential back-off and jitter, everything resubscribed after a reconnect, and a
 * per-token silence watchdog: a token with no frame for `staleBookMs` is stale — it is
 * resubscribed and its book fetched over REST — until a fresh `book` snapshot arrives. I/O edge:
 * the parser and the book logic it feeds are pure.
 */
import type { Clock } from '../core/clock';
import type { BackoffPolicy } from './backoff';
import { ReconnectingSocket } from './reconnecting-socket';
import type { FrameParse, MarketEvent } from '../core/market-events';

/** Counters of the client (monotonic). */
export interface MarketWsCounters {
  connects: number;
  reconnects: number;
  frames: number;
  events: number;
  rejected: number;
  pongs: number;
  staleDetected: number;
  resubscribes: number;
  restRecoveries: number;
  restFailures: number;
  /** REST books dropped because a WebSocket snapshot arrived first. */
  restSuperseded: number;
}

/** Options of the client. */
export interface MarketWsOptions {
  /** `ws://…/ws/market` (or the venue's `wss://` URL). */
  readonly url: string;
  readonly clock: Clock;
  /** Jitter source in [0, 1) for the back-off (an input: tests pass a fixed sequence). */
  readonly random: () => number;
  readonly parse: (text: string) => FrameParse;
  readonly pingIntervalMs?: number;
  readonly staleBookMs: number;
  readonly backoff?: BackoffPolicy;
  /** How often the watchdog looks, ms (default `min(1000, staleBookMs / 4)`). */
  readonly watchdogIntervalMs?: number;
  /** Receives every text frame with its receive time and parse (raw-frame persistence). */
  readonly onFrame?: (text: string, recvMs: number, parsed: FrameParse) => void;
  /** Receives the parsed events of each frame, and REST-recovered snapshots. */
  readonly onEvents?: (events: readonly MarketEvent[], recvMs: number) => void;
  /** Receives REST-recovered snapshots (instead of `onEvents`, when set). */
  readonly onRecovered?: (book: MarketEvent, recvMs: number) => void;
  /** A token became stale (`true`) or fresh again (`false`). */
  readonly onStale?: (tokenId: string, stale: boolean) => void;
  /** Fetches a token's book over REST as a `book` event (or null); errors are counted, not thrown. */
  readonly fetchBook?: (tokenId: string) => Promise<MarketEvent | null>;
  /** Receives the rejection reasons of malformed frames (for logs). */
  readonly onRejected?: (reasons: readonly string[]) => void;
}

/** Market-channel client. */
export class MarketWsClient {
  /** Frame and recovery counters (connection counts live on the socket: see {@link snapshot}). */
  private readonly counters: Omit<MarketWsCounters, 'connects' | 'reconnects'> = {
    frames: 0,
    events: 0,
    rejected: 0,
    pongs: 0,
    staleDetected: 0,
    resubscribes: 0,
    restRecoveries: 0,
    restFailures: 0,
    restSuperseded: 0,
  };
  private readonly tokens = new Set<string>();
  private readonly lastFrameMs = new Map<string, number>();
  private readonly stale = new Set<string>();
  private running = false;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private readonly socket: ReconnectingSocket;

  /** Creates a client; nothing connects until `start`. */
  constructor(private readonly opts: MarketWsOptions) {
    this.socket = new ReconnectingSocket({
      url: opts.url,
      random: opts.random,
      pingIntervalMs: opts.pingIntervalMs ?? 10_000,
      backoff: opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
      onOpen: (send) => this.onOpen(send),
      onText: (text) => this.onText(text, this.opts.clock.now()),
    });
  }

  /** Connects and keeps the connection up until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.socket.start();
    const every = this.opts.watchdogIntervalMs ?? Math.max(50, Math.min(1000, this.opts.staleBookMs / 4));
    this.watchdogTimer = setInterval(() => this.watchdog(), every);
  }

  /** Closes the socket and all timers. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.watchdogTimer !== null) clearInterval(this.watchdogTimer);
    this.watchdogTimer = null;
    await this.socket.stop();
  }

  /** All counters, the connection counts read from the socket. */
  snapshot(): MarketWsCounters {
    return { ...this.counters, connects: this.socket.connects, reconnects: this.socket.reconnects };
  }

  /** Subscribes tokens (decimal token ids); they are stale until their first snapshot. */
  subscribe(tokenIds: readonly string[]): void {
    const added = tokenIds.filter((t) => !this.tokens.has(t));
    if (added.length === 0) return;
    const now = this.opts.clock.now();
    for (const t of added) {
      this.tokens.add(t);
      this.lastFrameMs.set(t, now);
      this.markStale(t, true);
    }
    this.send({ operation: 'subscribe', assets_ids: added, custom_feature_enabled: true });
  }

  /** Unsubscribes tokens and forgets their state. */
  unsubscribe(tokenIds: readonly string[]): void {
    const removed = tokenIds.filter((t) => this.tokens.delete(t));
    if (removed.length === 0) return;
    for (const t of removed) {
      this.lastFrameMs.delete(t);
      this.stale.delete(t);
    }
    this.send({ operation: 'unsubscribe', assets_ids: removed });
  }

  /** True while a token is stale (no frame for `staleBookMs`, or waiting for a snapshot). */
  isStale(tokenId: string): boolean {
    return this.stale.has(tokenId);
  }

  /** Tokens currently stale. */
  staleTokens(): string[] {
    return [...this.stale];
  }

  /** Subscribed tokens. */
  subscribed(): string[] {
    return [...this.tokens];
  }

  private onOpen(send: (text: string) => void): void {
    const now = this.opts.clock.now();
    for (const t of this.tokens) {
      this.lastFrameMs.set(t, now);
      this.markStale(t, true); // books are rebuilt from the fresh snapshots
    }
    if (this.tokens.size > 0) {
      send(JSON.stringify({ type: 'market', assets_ids: [...this.tokens], custom_feature_enabled: true }));
    }
  }

  /**
   * Handles one text frame: counts it, updates per-token liveness and staleness from its events,
   * then hands the frame (`onFrame`, with its parse) and its events (`onEvents`) on — so a snapshot
   * is already fresh when its frame is processed.
   */
  private onText(text: string, recvMs: number): void {
    this.counters.frames += 1;
    const parsed = this.opts.parse(text);
    if (parsed.pong) this.counters.pongs += 1;
    if (parsed.rejected.length > 0) {
      this.counters.rejected += parsed.rejected.length;
      this.opts.onRejected?.(parsed.rejected);
    }
    this.counters.events += parsed.events.length;
    for (const ev of parsed.events) {
      if (!('tokenId' in ev) || !this.tokens.has(ev.tokenId)) continue;
      this.lastFrameMs.set(ev.tokenId, recvMs);
      if (ev.kind === 'book') this.markStale(ev.tokenId, false);
      else if (ev.kind === 'tick_size') {
        // the book is reset until a snapshot; the venue may not send one until the next trade
        this.markStale(ev.tokenId, true);
        this.requestSnapshot(ev.tokenId);
      }
    }
    this.opts.onFrame?.(text, recvMs, parsed);
    if (parsed.events.length > 0) this.opts.onEvents?.(parsed.events, recvMs);
  }

  private watchdog(): void {
    const now = this.opts.clock.now();
    for (const t of this.tokens) {
      const last = this.lastFrameMs.get(t) ?? now;
      if (now - last < this.opts.staleBookMs) continue;
      this.lastFrameMs.set(t, now); // one recovery per silent period
      if (!this.stale.has(t)) this.counters.staleDetected += 1;
      this.markStale(t, true);
      this.requestSnapshot(t);
    }
  }

  /** Asks for a fresh snapshot: resubscribe the token, and fetch its book over REST. */
  private requestSnapshot(tokenId: string): void {
    this.counters.resubscribes += 1;
    this.send({ operation: 'unsubscribe', assets_ids: [tokenId] });
    this.send({ operation: 'subscribe', assets_ids: [tokenId], custom_feature_enabled: true });
    void this.recover(tokenId);
  }

  private async recover(tokenId: string): Promise<void> {
    const fetchBook = this.opts.fetchBook;
    if (fetchBook === undefined) return;
    try {
      const ev = await fetchBook(tokenId);
      if (ev === null || !this.tokens.has(tokenId) || !this.running) return;
      // REST is only a fallback: once the socket delivered a fresh snapshot, the (possibly older)
      // REST book must not overwrite what came after it
      if (!this.stale.has(tokenId)) {
        this.counters.restSuperseded += 1;
        return;
      }
      this.counters.restRecoveries += 1;
      this.markStale(tokenId, false);
      if (this.opts.onRecovered !== undefined) this.opts.onRecovered(ev, this.opts.clock.now());
      else this.opts.onEvents?.([ev], this.opts.clock.now());
    } catch {
      this.counters.restFailures += 1;
    }
  }

  private markStale(tokenId: string, stale: boolean): void {
    if (stale === this.stale.has(tokenId)) return;
    if (stale) this.stale.add(tokenId);
    else this.stale.delete(tokenId);
    this.opts.onStale?.(tokenId, stale);
  }

  private send(msg: unknown): void {
    this.socket.send(JSON.stringify(msg));
  }
}
