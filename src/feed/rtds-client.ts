/**
 * The RTDS client (issue #3, polymarket-protocol.md §4): subscribes `crypto_prices_chainlink` for
 * the configured symbols (`btc/usd`, …), keeps the socket alive (text `PING` every 5 s), reconnects
 * with back-off and jitter, and passes parsed prices on. A symbol silent for `staleMs` triggers a
 * reconnect (the topic is known to stop after the snapshot, §4).
 */
import type { Clock } from '../core/clock';
import type { BackoffPolicy } from './backoff';
import type { SpotPrice } from '../core/market-events';
import { ReconnectingSocket } from './reconnecting-socket';

/** Options of the RTDS client. */
export interface RtdsClientOptions {
  readonly url: string;
  /** Chainlink symbols, lower case with a slash: `btc/usd`. */
  readonly symbols: readonly string[];
  readonly clock: Clock;
  readonly random: () => number;
  readonly parse: (text: string) => { prices: SpotPrice[]; rejected: string[]; pong: boolean };
  readonly onPrices: (prices: readonly SpotPrice[], recvMs: number) => void;
  readonly onFrame?: (text: string, recvMs: number, prices: readonly SpotPrice[]) => void;
  readonly pingIntervalMs?: number;
  /** No price for this long (ms) → reconnect (default 30 s). */
  readonly staleMs?: number;
  readonly backoff?: BackoffPolicy;
}

/** RTDS client. */
export class RtdsClient {
  /** Frames, prices and rejected payloads received; silence-triggered reconnects. */
  readonly counters = { frames: 0, prices: 0, rejected: 0, silentReconnects: 0 };
  private readonly socket: ReconnectingSocket;
  private lastPriceMs = 0;
  private timer: NodeJS.Timeout | null = null;

  /** Creates the client; nothing connects until `start`. */
  constructor(private readonly opts: RtdsClientOptions) {
    this.socket = new ReconnectingSocket({
      url: opts.url,
      random: opts.random,
      pingIntervalMs: opts.pingIntervalMs ?? 5_000,
      backoff: opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
      onOpen: (send) => {
        this.lastPriceMs = this.opts.clock.now();
        send(
          JSON.stringify({
            action: 'subscribe',
            subscriptions: opts.symbols.map((symbol) => ({
              topic: 'crypto_prices_chainlink',
              type: '*',
              filters: JSON.stringify({ symbol }),
            })),
          }),
        );
      },
      onText: (text) => this.onText(text),
    });
  }

  /** Connects; reconnects until `stop`. */
  start(): void {
    this.lastPriceMs = this.opts.clock.now();
    this.socket.start();
    const staleMs = this.opts.staleMs ?? 30_000;
    this.timer = setInterval(
      () => {
        if (this.opts.clock.now() - this.lastPriceMs < staleMs) return;
        this.lastPriceMs = this.opts.clock.now();
        this.counters.silentReconnects += 1;
        this.socket.drop();
      },
      Math.max(50, Math.min(1000, staleMs / 4)),
    );
  }

  /** Closes the socket and timers. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.socket.stop();
  }

  /** Successful connects and reconnect attempts of the socket. */
  get connection(): { connects: number; reconnects: number } {
    return { connects: this.socket.connects, reconnects: this.socket.reconnects };
  }

  private onText(text: string): void {
    const recvMs = this.opts.clock.now();
    this.counters.frames += 1;
    const parsed = this.opts.parse(text);
    this.opts.onFrame?.(text, recvMs, parsed.prices);
    this.counters.rejected += parsed.rejected.length;
    if (parsed.prices.length === 0) return;
    this.counters.prices += parsed.prices.length;
    this.lastPriceMs = recvMs;
    this.opts.onPrices(parsed.prices, recvMs);
  }
}
