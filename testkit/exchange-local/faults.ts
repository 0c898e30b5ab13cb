/**
 * Fault switches of the local exchange (issue #3): silence a token, duplicate / reorder /
 * corrupt the next frames, with counters of everything injected. Dropping connections and forced
 * tick-size changes live on the server (they need the sockets and the books) but are counted here.
 * Budgets are global: "the next n frames" counts frames to any market socket.
 */

/** Counters of injected faults. */
export interface FaultStats {
  /** Market sockets terminated by `dropConnections()`. */
  dropped: number;
  /** Frames sent twice. */
  duplicated: number;
  /** Pairs of frames sent in swapped order. */
  reorderedPairs: number;
  /** Garbage / truncated / wrong-typed frames sent. */
  malformed: number;
  /** Per-socket frames (or price_change entries) withheld because their token was silenced. */
  silenced: number;
  /** Forced `tick_size_change`s. */
  tickSizeChanges: number;
}

/** Per-socket state the reorder switch needs across batches. */
export interface SocketFaultState {
  /** A frame held back to be sent after the first frame of the next batch. */
  held: string | null;
}

/** The kinds of malformed frames, sent in rotation. */
export const MALFORMED_KINDS = ['garbage', 'truncated', 'wrong-typed'] as const;

/** A frame whose JSON parses but whose fields have the wrong types. */
export const WRONG_TYPED_FRAME = JSON.stringify({
  event_type: 'price_change',
  market: 12345,
  timestamp: null,
  price_changes: 'not-an-array',
});

/** Fault budgets, silences and counters. */
export class FaultInjector {
  /** What has been injected so far. */
  readonly stats: FaultStats = {
    dropped: 0,
    duplicated: 0,
    reorderedPairs: 0,
    malformed: 0,
    silenced: 0,
    tickSizeChanges: 0,
  };
  private duplicateBudget = 0;
  private reorderBudget = 0;
  private malformedBudget = 0;
  private malformedSeq = 0;
  /** Token → wall-clock ms until which it is silenced (`Infinity` = until unsilenced). */
  private readonly silences = new Map<string, number>();

  /** Creates an injector reading wall-clock ms from `wallNow`. */
  constructor(private readonly wallNow: () => number = Date.now) {}

  /** Sends each of the next `n` frames twice. */
  duplicateFrames(n: number): void {
    this.duplicateBudget += Math.max(0, Math.floor(n));
  }

  /** Swaps pairs among the next `n` frames (n/2 pairs; a lone frame waits for the socket's next batch). */
  reorderFrames(n: number): void {
    this.reorderBudget += Math.max(0, Math.floor(n));
  }

  /** Sends `n` malformed frames, one before each of the next real frames. */
  malformedFrames(n: number): void {
    this.malformedBudget += Math.max(0, Math.floor(n));
  }

  /**
   * Stops frames about `tokenId` for `ms` wall-clock milliseconds, or until {@link unsilence}
   * when `ms` is `null`; the sockets stay open and keep answering `PING`.
   */
  silence(tokenId: string, ms: number | null): void {
    this.silences.set(tokenId, ms === null ? Number.POSITIVE_INFINITY : this.wallNow() + ms);
  }

  /** Ends a silence. */
  unsilence(tokenId: string): void {
    this.silences.delete(tokenId);
  }

  /** Returns whether frames about `tokenId` are currently withheld. */
  isSilenced(tokenId: string): boolean {
    const until = this.silences.get(tokenId);
    if (until === undefined) return false;
    if (this.wallNow() < until) return true;
    this.silences.delete(tokenId);
    return false;
  }

  /** Returns the budgets not yet used. */
  pending(): { duplicate: number; reorder: number; malformed: number } {
    return { duplicate: this.duplicateBudget, reorder: this.reorderBudget, malformed: this.malformedBudget };
  }

  /**
   * Applies reorder, duplicate and malformed budgets to one socket's batch of serialised frames
   * and returns what to send, in order.
   */
  process(frames: readonly string[], st: SocketFaultState): string[] {
    return this.corrupt(this.duplicate(this.reorder(frames, st)));
  }

  private reorder(frames: readonly string[], st: SocketFaultState): string[] {
    const out: string[] = [];
    let i = 0;
    if (st.held !== null && frames.length > 0) {
      out.push(frames[0] as string, st.held);
      st.held = null;
      this.stats.reorderedPairs++;
      i = 1;
    }
    while (i < frames.length) {
      const a = frames[i] as string;
      const b = frames[i + 1];
      if (this.reorderBudget >= 2 && b !== undefined) {
        out.push(b, a);
        this.reorderBudget -= 2;
        this.stats.reorderedPairs++;
        i += 2;
      } else if (this.reorderBudget >= 2 && st.held === null) {
        st.held = a;
        this.reorderBudget -= 2;
        i += 1;
      } else {
        out.push(a);
        i += 1;
      }
    }
    return out;
  }

  private duplicate(frames: readonly string[]): string[] {
    const out: string[] = [];
    for (const f of frames) {
      out.push(f);
      if (this.duplicateBudget > 0) {
        out.push(f);
        this.duplicateBudget--;
        this.stats.duplicated++;
      }
    }
    return out;
  }

  private corrupt(frames: readonly string[]): string[] {
    const out: string[] = [];
    for (const f of frames) {
      if (this.malformedBudget > 0) {
        out.push(this.malformedFrom(f));
        this.malformedBudget--;
        this.stats.malformed++;
      }
      out.push(f);
    }
    return out;
  }

  private malformedFrom(real: string): string {
    const kind = MALFORMED_KINDS[this.malformedSeq++ % MALFORMED_KINDS.length];
    if (kind === 'garbage') return '\u0000garbage{{not json';
    if (kind === 'truncated') return real.slice(0, Math.max(1, Math.floor(real.length / 2)));
    return WRONG_TYPED_FRAME;
  }
}
