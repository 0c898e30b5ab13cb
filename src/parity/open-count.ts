/**
 * The `[PARITY]` open-position count lines (issue #11): per crypto, the number of positions not
 * CLOSED on the live side and on the paper side; a line when the counts start to differ and one
 * when they agree again — never one per tick. Pure: fed counts, returns the lines to log.
 */

/** One change of a crypto's parity. */
export interface OpenCountChange {
  readonly crypto: string;
  readonly paper: number;
  readonly live: number;
  /** `diverged` when the counts start to differ (or differ otherwise), `cleared` when equal again. */
  readonly kind: 'diverged' | 'cleared';
  /** The log line, e.g. `[PARITY] BTC: paper=2 live=1 positions`. */
  readonly line: string;
}

/** Tracks per-crypto open counts of both sides. */
export class OpenCountParity {
  /** Crypto → the last differing counts logged (absent: the sides agree). */
  private readonly differing = new Map<string, string>();

  /**
   * Takes the current open counts of one crypto; returns the change to log, or `null` when
   * nothing changed since the last line (agreeing, or differing the same way).
   */
  update(crypto: string, paper: number, live: number): OpenCountChange | null {
    const was = this.differing.get(crypto);
    if (paper === live) {
      if (was === undefined) return null;
      this.differing.delete(crypto);
      return {
        crypto,
        paper,
        live,
        kind: 'cleared',
        line: `[PARITY] ${crypto}: paper=${paper} live=${live} positions (agree again)`,
      };
    }
    const now = `${paper}/${live}`;
    if (was === now) return null;
    this.differing.set(crypto, now);
    return {
      crypto,
      paper,
      live,
      kind: 'diverged',
      line: `[PARITY] ${crypto}: paper=${paper} live=${live} positions`,
    };
  }
}
