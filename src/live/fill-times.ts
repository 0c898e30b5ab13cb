/**
 * Fill times of the live loop (issue #8 point 11): each token's latest fill (reconciliation leaves
 * a token alone for `SETTLEMENT_GRACE_MS` after a fill: the exchange settles on chain after
 * answering). Survives a restart (restored from the stored attempts of filled orders). When each
 * order's attempts were signed is the venue's (`LiveVenue.signedAt`, issue #10: in-flight order
 * state has one owner). Times: wall-clock ms.
 */
import { canonicalTokenId } from '../chain/balances';

/** Fill times, wall ms. */
export class FillTimes {
  /** Canonical token id → wall time of its latest fill. */
  private readonly fills = new Map<string, number>();

  /** Notes a fill of `tokenId` (any spelling) at `wallMs` (keeps the latest). */
  noteFill(tokenId: string, wallMs: number): void {
    const id = canonicalTokenId(tokenId);
    this.fills.set(id, Math.max(wallMs, this.fills.get(id) ?? 0));
  }

  /** Wall time of the latest fill of a canonical token id (0 = none). */
  lastFillAt(canonicalId: string): number {
    return this.fills.get(canonicalId) ?? 0;
  }

  /**
   * Canonical token ids filled at/after `sinceWall` or within `graceMs` of `nowWall`; forgets
   * fills older than 10 graces + 1 h.
   */
  recentFills(sinceWall: number, nowWall: number, graceMs: number): string[] {
    const out: string[] = [];
    for (const [id, at] of this.fills) {
      if (at >= sinceWall || nowWall - at < graceMs) out.push(id);
      else if (nowWall - at > 10 * graceMs + 3_600_000) this.fills.delete(id);
    }
    return out;
  }
}
