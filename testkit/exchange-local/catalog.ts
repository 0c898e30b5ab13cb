/**
 * The local exchange's market catalogue (issue #3): one binary market per recorded window, with
 * the synthetic token and condition ids every replay derives (`core/ids.ts`).
 */
import { syntheticConditionId, syntheticTokenId, windowKey, windowSlug } from '../../src/core/ids';
import type { Side, TickRow, WindowRef } from '../../src/core/types';

/**
 * Per-market protocol flags Gamma reports (polymarket-protocol.md §2.3, §10; issue #8 point 8), so
 * the trader's per-market check can be tested. Up/down windows are plain binary V1-protocol markets.
 */
export interface MarketFlags {
  /** Gamma `negRisk` (default false); also the CLOB's `/clob-markets` `nr`. */
  readonly negRisk?: boolean;
  /** Gamma `version`: `"v2"` = Protocol-V2 market (PositionManager ids); absent = field not listed. */
  readonly protocolVersion?: 'v1' | 'v2';
}

/** One listed market (a recorded window). Times in ms since the epoch. */
export interface MarketListing extends MarketFlags {
  readonly slug: string;
  readonly window: WindowRef;
  readonly upTokenId: string;
  readonly downTokenId: string;
  /** `0x` + 64 hex: the CLOB `market` field. */
  readonly conditionId: string;
  /** Window start (`eventStartTime`), ms. */
  readonly startMs: number;
  /** Window end (`endDate`), ms. */
  readonly endMs: number;
}

/**
 * Externally assigned ids of one window's market (e.g. a local chain's condition and position ids),
 * plus its {@link MarketFlags}. An id left out falls back to the synthetic one, so
 * `{ negRisk: true }` alone flags a market with synthetic ids.
 */
export interface MarketIds extends MarketFlags {
  /** Up outcome token id, decimal string. */
  readonly up?: string;
  /** Down outcome token id, decimal string. */
  readonly down?: string;
  /** `0x` + 64 hex condition id. */
  readonly conditionId?: string;
}

/** Assigns the ids (and flags) of a window's market; `undefined` falls back to the synthetic ids. */
export type MarketIdsOf = (window: WindowRef) => MarketIds | undefined;

/** Markets, their rows and indexes. */
export interface Catalog {
  /** Markets by window start, ascending. */
  readonly markets: readonly MarketListing[];
  /** Rows of the kept windows, in input (processing) order. */
  readonly rows: readonly TickRow[];
  /** Token id → its market and outcome side. */
  readonly byToken: ReadonlyMap<string, { readonly market: MarketListing; readonly side: Side }>;
  /** Slug → market. */
  readonly bySlug: ReadonlyMap<string, MarketListing>;
  /** Window key → market. */
  readonly byWindowKey: ReadonlyMap<string, MarketListing>;
  /** Window key → first row of that window (seeds the initial books). */
  readonly firstRow: ReadonlyMap<string, TickRow>;
}

/**
 * Builds the catalogue from rows sorted by time. `windows` keeps only the first N windows
 * (by window start); rows of other windows are dropped. `idsOf` overrides the synthetic ids.
 */
export function buildCatalog(rows: readonly TickRow[], windows?: number, idsOf?: MarketIdsOf): Catalog {
  const refs = new Map<string, WindowRef>();
  for (const r of rows) {
    const key = windowKey(r);
    if (!refs.has(key))
      refs.set(key, { crypto: r.crypto, windowSec: r.windowSec, windowEpoch: r.windowEpoch });
  }
  let kept = [...refs.values()].sort((a, b) => a.windowEpoch - b.windowEpoch || a.windowSec - b.windowSec);
  if (windows !== undefined) kept = kept.slice(0, Math.max(0, windows));
  const markets = kept.map((w) => listingFor(w, idsOf));
  const byWindowKey = new Map(markets.map((m) => [windowKey(m.window), m] as const));
  const keptRows = rows.filter((r) => byWindowKey.has(windowKey(r)));
  const firstRow = new Map<string, TickRow>();
  for (const r of keptRows) if (!firstRow.has(windowKey(r))) firstRow.set(windowKey(r), r);
  const byToken = new Map<string, { market: MarketListing; side: Side }>();
  for (const m of markets) {
    byToken.set(m.upTokenId, { market: m, side: 'UP' });
    byToken.set(m.downTokenId, { market: m, side: 'DOWN' });
  }
  return {
    markets,
    rows: keptRows,
    byToken,
    bySlug: new Map(markets.map((m) => [m.slug, m] as const)),
    byWindowKey,
    firstRow,
  };
}

/** Returns the listing of one window, with the ids and flags `idsOf` assigns or else the synthetic ids. */
export function listingFor(w: WindowRef, idsOf?: MarketIdsOf): MarketListing {
  const ids = idsOf?.(w);
  const flags: MarketFlags = {
    ...(ids?.negRisk === undefined ? {} : { negRisk: ids.negRisk }),
    ...(ids?.protocolVersion === undefined ? {} : { protocolVersion: ids.protocolVersion }),
  };
  return {
    ...flags,
    slug: windowSlug(w),
    window: w,
    upTokenId: ids?.up ?? syntheticTokenId(w, 'UP'),
    downTokenId: ids?.down ?? syntheticTokenId(w, 'DOWN'),
    conditionId: ids?.conditionId ?? syntheticConditionId(w),
    startMs: w.windowEpoch * 1000,
    endMs: (w.windowEpoch + w.windowSec) * 1000,
  };
}
