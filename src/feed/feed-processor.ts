/**
 * The pure core of the collector (issue #3): market-channel frames → parsed events → exact L2
 * books → one `Tick` per window whose books the frame changed. Used by the live collector and by
 * the replay of recorded frames, so both give the same books. No I/O, no clock: receive times and
 * staleness are inputs.
 *
 * A "book update" is one (frame, window) pair in which at least one of the window's two books
 * changed; each gives exactly one tick (after all of the frame's events are applied, so a mirrored
 * UP/DOWN `price_change` never yields a half-applied tick).
 */
import { windowKey } from '../core/ids';
import type { Tick, TopOfBook, WindowRef } from '../core/types';
import { L2Store, type CrossPolicy } from '../book/l2-store';
import type { FrameParse, MarketEvent } from '../core/market-events';
import { parseMarketFrame } from './market-parse';
import type { MarketInfo } from '../market/market-info';

/** A tick with the venue time of the frame that caused it. */
export interface FeedTick {
  readonly tick: Tick;
  /** Latest venue timestamp among the frame's events for this window, ms (receive time if none). */
  readonly venueTsMs: number;
}

/** Counters of frames and ticks. */
export interface FeedCounters {
  frames: number;
  pongs: number;
  /** Objects rejected by the parser (malformed, invalid fields, unknown type). */
  malformed: number;
  /** Frames identical to a recent one: dropped. */
  duplicateFrames: number;
  /** Book events that arrived after a newer one for the same token (applied). */
  outOfOrder: number;
  /** Book events older than what the book already reflects (dropped). */
  superseded: number;
  events: number;
  /** Book updates = ticks produced. */
  bookUpdates: number;
  marketResolved: number;
}

interface WindowEntry {
  readonly info: MarketInfo;
  readonly window: WindowRef;
  readonly key: string;
}

/** How many recent frame texts are remembered to drop duplicates. */
const DUPLICATE_MEMORY = 64;

/** Frames in, ticks out. */
export class FeedProcessor {
  readonly l2: L2Store;
  readonly counters: FeedCounters = {
    frames: 0,
    pongs: 0,
    malformed: 0,
    duplicateFrames: 0,
    outOfOrder: 0,
    superseded: 0,
    events: 0,
    bookUpdates: 0,
    marketResolved: 0,
  };
  private readonly byToken = new Map<string, WindowEntry>();
  private readonly spot = new Map<string, number>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  /** Per token: venue time of the last snapshot, of the newest applied event, and per level. */
  private readonly times = new Map<
    string,
    { snapshotTs: number; latestTs: number; levels: Map<number, number> }
  >();
  private seq = 0;

  /** Creates a processor; `crossPolicy` as in {@link L2Store}. */
  constructor(opts: { crossPolicy?: CrossPolicy } = {}) {
    this.l2 = new L2Store(opts.crossPolicy === undefined ? {} : { crossPolicy: opts.crossPolicy });
  }

  /** Tracks a window's two tokens (their books start empty, waiting for snapshots). */
  addWindow(info: MarketInfo): void {
    const entry: WindowEntry = { info, window: info.window, key: windowKey(info.window) };
    this.byToken.set(info.upTokenId, entry);
    this.byToken.set(info.downTokenId, entry);
    this.l2.subscribe([info.upTokenId, info.downTokenId]);
  }

  /** Forgets a window and its books. */
  removeWindow(info: MarketInfo): void {
    this.byToken.delete(info.upTokenId);
    this.byToken.delete(info.downTokenId);
    this.times.delete(info.upTokenId);
    this.times.delete(info.downTokenId);
    this.l2.unsubscribe([info.upTokenId, info.downTokenId]);
  }

  /** Sets the latest spot price (USD) of a crypto (`BTC`), carried on later ticks. */
  setSpot(crypto: string, value: number): void {
    this.spot.set(crypto, value);
  }

  /**
   * Processes one market-channel text frame received at `recvMs`; `isStale(tokenId)` marks the
   * tokens whose book the feed considers stale. Returns the ticks of the changed windows.
   */
  onFrame(text: string, recvMs: number, isStale: (tokenId: string) => boolean): FeedTick[] {
    return this.onParsedFrame(text, parseMarketFrame(text), recvMs, isStale);
  }

  /**
   * As {@link onFrame}, for a frame already parsed. A frame identical to one of the last
   * `DUPLICATE_MEMORY` frames is dropped and counted (`duplicateFrames`).
   */
  onParsedFrame(
    text: string,
    parsed: FrameParse,
    recvMs: number,
    isStale: (tokenId: string) => boolean,
  ): FeedTick[] {
    this.counters.frames += 1;
    if (this.recent.has(text)) {
      this.counters.duplicateFrames += 1;
      return [];
    }
    this.recent.add(text);
    this.recentOrder.push(text);
    if (this.recentOrder.length > DUPLICATE_MEMORY) this.recent.delete(this.recentOrder.shift()!);
    if (parsed.pong) {
      this.counters.pongs += 1;
      return [];
    }
    this.counters.malformed += parsed.rejected.length;
    return this.onEvents(parsed.events, recvMs, isStale);
  }

  /** Applies already parsed events (a frame's, or a REST-recovered snapshot) and returns the ticks. */
  onEvents(
    events: readonly MarketEvent[],
    recvMs: number,
    isStale: (tokenId: string) => boolean,
  ): FeedTick[] {
    this.counters.events += events.length;
    let changed: Map<WindowEntry, number> | null = null;
    for (const ev of events) {
      if (ev.kind === 'market_resolved') this.counters.marketResolved += 1;
      const order = this.ordering(ev);
      if (order === 'superseded') {
        this.counters.superseded += 1;
        continue;
      }
      if (order === 'late') this.counters.outOfOrder += 1;
      const r = this.l2.apply(ev, recvMs);
      if (!r.changed || r.tokenId === null) continue;
      const entry = this.byToken.get(r.tokenId);
      if (entry === undefined) continue;
      changed ??= new Map();
      const ts = 'venueTsMs' in ev ? ev.venueTsMs : recvMs;
      changed.set(entry, Math.max(changed.get(entry) ?? 0, ts));
    }
    if (changed === null) return [];
    const out: FeedTick[] = [];
    for (const [entry, venueTsMs] of changed) {
      this.counters.bookUpdates += 1;
      out.push({ tick: this.tick(entry, recvMs, isStale), venueTsMs });
    }
    return out;
  }

  /**
   * Orders book events by venue time per token. `late`: older than the newest event already applied
   * to the token (counted, still applied); `superseded`: a snapshot older than the newest applied
   * event, or a level older than the snapshot or than that level's last update — sizes are
   * absolute, so applying it would undo a newer change (dropped and counted).
   */
  private ordering(ev: MarketEvent): 'ok' | 'late' | 'superseded' {
    if (ev.kind !== 'book' && ev.kind !== 'level') return 'ok';
    let t = this.times.get(ev.tokenId);
    if (t === undefined) {
      t = { snapshotTs: -Infinity, latestTs: -Infinity, levels: new Map() };
      this.times.set(ev.tokenId, t);
    }
    if (ev.kind === 'book') {
      if (ev.venueTsMs < t.latestTs) return 'superseded';
      t.snapshotTs = t.latestTs = ev.venueTsMs;
      t.levels.clear();
      return 'ok';
    }
    const key = ev.side === 'bid' ? ev.price : -ev.price;
    if (ev.venueTsMs < t.snapshotTs || ev.venueTsMs < (t.levels.get(key) ?? -Infinity)) return 'superseded';
    t.levels.set(key, ev.venueTsMs);
    if (ev.venueTsMs >= t.latestTs) {
      t.latestTs = ev.venueTsMs;
      return 'ok';
    }
    return 'late';
  }

  private tick(entry: WindowEntry, tsMs: number, isStale: (tokenId: string) => boolean): Tick {
    this.seq += 1;
    return {
      seq: this.seq,
      tsMs,
      window: entry.window,
      windowKey: entry.key,
      up: this.top(entry.info.upTokenId, isStale),
      down: this.top(entry.info.downTokenId, isStale),
      spot: this.spot.get(entry.window.crypto) ?? null,
    };
  }

  private top(tokenId: string, isStale: (tokenId: string) => boolean): TopOfBook {
    const book = this.l2.book(tokenId);
    const top: TopOfBook = book?.top() ?? {
      tokenId,
      bid: null,
      ask: null,
      bidSize: null,
      askSize: null,
      tickSize: 10_000,
    };
    return isStale(tokenId) || this.l2.needsSnapshot(tokenId) ? { ...top, stale: true } : top;
  }
}
