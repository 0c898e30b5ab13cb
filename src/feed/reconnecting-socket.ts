/**
 * A `ws` text socket that stays connected: exponential back-off with jitter between attempts
 * (the jitter is an input; the back-off restarts when a frame arrives, not on open), a text keepalive (`PING`, polymarket-protocol.md §3.2 / §4) every
 * `pingIntervalMs`, and an `onOpen` hook to (re)send subscriptions. Shared by the market-channel
 * and RTDS clients.
 */
import WebSocket from 'ws';
import { backoffDelayMs, type BackoffPolicy } from './backoff';

/** Options of a reconnecting socket. */
export interface ReconnectingSocketOptions {
  readonly url: string;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
  readonly pingIntervalMs: number;
  readonly pingText?: string;
  readonly backoff: BackoffPolicy;
  /** Called on every open (first connect and each reconnect) with a sender. */
  readonly onOpen: (send: (text: string) => void) => void;
  /** Called with every text frame. */
  readonly onText: (text: string) => void;
  /** Called with each scheduled reconnect: its delay (ms) and the 0-based consecutive failure. */
  readonly onBackoff?: (delayMs: number, attempt: number) => void;
}

/** A socket that reconnects until `stop`. */
export class ReconnectingSocket {
  /** Successful opens. */
  connects = 0;
  /** Reconnect attempts scheduled after a close. */
  reconnects = 0;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private running = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  /** Creates the socket; nothing connects until `start`. */
  constructor(private readonly opts: ReconnectingSocketOptions) {}

  /** Connects and keeps reconnecting until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /** Stops reconnecting, closes the socket and resolves when it is closed. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.pingTimer = this.reconnectTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s !== null && s.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.terminate();
      });
    }
  }

  /** Closes the current connection abruptly (a reconnect follows), e.g. after silence. */
  drop(): void {
    this.socket?.terminate();
  }

  /** Sends a text frame when connected; returns false when not. */
  send(text: string): boolean {
    const s = this.socket;
    if (s === null || s.readyState !== WebSocket.OPEN) return false;
    s.send(text);
    return true;
  }

  private connect(): void {
    const ws = new WebSocket(this.opts.url, { perMessageDeflate: false });
    this.socket = ws;
    ws.on('open', () => {
      this.connects += 1;
      this.opts.onOpen((text) => ws.send(text));
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send(this.opts.pingText ?? 'PING'), this.opts.pingIntervalMs);
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      // the back-off restarts once the server has answered, not on open: a server that accepts
      // and closes at once would otherwise be retried at the base delay forever (issue #9)
      this.attempt = 0;
      if (!isBinary) this.opts.onText(data.toString());
    });
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', () => {
      if (this.socket === ws) this.socket = null;
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.running) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const delay = backoffDelayMs(this.attempt, this.opts.backoff, this.opts.random());
    this.opts.onBackoff?.(delay, this.attempt);
    this.attempt += 1;
    this.reconnects += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) this.connect();
    }, delay);
  }
}
