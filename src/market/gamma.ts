/**
 * Pure parsers of Gamma API responses (polymarket-protocol.md §2) into {@link MarketInfo}:
 * `GET /markets?slug=` (array of markets), `GET /markets/slug/<slug>` (one market) and
 * `GET /events?slug=` (array of events with `markets[]`). Double-encoded list fields
 * (`outcomes`, `clobTokenIds`, `outcomePrices`) are decoded and checked; token ids are mapped to
 * Up/Down by the outcome labels, never by position.
 */
import { InputError } from '../core/errors';
import { parseMicros } from '../core/money';
import { parseSlug } from './windows';
import type { MarketInfo } from './market-info';
import { VALID_TICK_SIZES } from '../feed/market-parse';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes a list field sent as a JSON string (or, leniently, as a real array) of strings. */
function stringList(m: Obj, field: string, slug: string): string[] | null {
  let v = m[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch (cause) {
      throw new InputError(`Gamma market ${slug}: ${field} is not valid JSON`, { cause });
    }
  }
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new InputError(`Gamma market ${slug}: ${field} is not a list of strings`);
  }
  return v;
}

function bool(m: Obj, field: string, slug: string): boolean {
  const v = m[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new InputError(`Gamma market ${slug}: ${field} is not a boolean`);
  return v;
}

/** A number or decimal string → micros; `null` when absent. */
function micros(m: Obj, field: string, slug: string): number | null {
  const v = m[field];
  if (v === undefined || v === null || v === '') return null;
  let r: number | null = null;
  try {
    if (typeof v === 'number' || typeof v === 'string') r = parseMicros(String(v));
  } catch {
    r = null;
  }
  // a huge or non-finite value is not a size (found by the feed fuzz, issue #9)
  if (r === null || !Number.isSafeInteger(r) || r < 0)
    throw new InputError(`Gamma market ${slug}: ${field} is not a non-negative number`);
  return r;
}

/**
 * Gamma `version` → `v<n>` (lowercase): absent, null or empty = `v1` (every captured payload of
 * 2026 lacks the field: fixtures README); `"v2"`, `"V2"`, `"2"` and `2` all give `v2`; another
 * string is kept lowercased (not `v1`, so not traded).
 */
function protocolVersion(m: Obj, slug: string): string {
  const v = m.version;
  if (v === undefined || v === null || v === '') return 'v1';
  const text = typeof v === 'number' || typeof v === 'string' ? String(v).trim().toLowerCase() : '';
  if (text === '' || text.length > 32)
    throw new InputError(`Gamma market ${slug}: version ${JSON.stringify(v)} is not a protocol version`);
  const match = /^v?(\d{1,3})$/.exec(text);
  // An unknown spelling is kept as is: the market still parses (collector) and `marketSupport` refuses it.
  return match === null ? text : `v${Number(match[1])}`;
}

function isoMs(m: Obj, field: string, slug: string): number | null {
  const v = m[field];
  if (v === undefined || v === null || v === '') return null;
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new InputError(`Gamma market ${slug}: ${field} is not an ISO date`);
  return ms;
}

/**
 * Parses one Gamma market object into a {@link MarketInfo}: window from the slug (cross-checked
 * with `eventStartTime` and `endDate` when present; `eventStartTime` also dates a yearless 1h
 * slug), token ids mapped to the "Up"/"Down" outcomes case-insensitively by index, tick size and
 * minimum size in micros, `negRisk`/`active`/`closed` (absent = false), the protocol version
 * (`version`, absent = `v1`).
 * @throws {InputError} naming the slug and the field when the object is not a market, the slug
 *   is not a supported Up/Down window, a list field is malformed, the outcomes are not exactly
 *   one "Up" and one "Down", the token ids are not two distinct decimal strings, an outcome price
 *   is outside [0, 1], the tick size is not a venue tick, the times disagree with the slug, or
 *   `version` is neither a string nor a number.
 */
export function parseGammaMarket(obj: unknown): MarketInfo {
  if (!isObj(obj)) throw new InputError('Gamma market: not an object');
  const slug = obj.slug;
  if (typeof slug !== 'string' || slug === '') throw new InputError('Gamma market: missing slug');
  const conditionId = obj.conditionId;
  if (typeof conditionId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(conditionId)) {
    throw new InputError(`Gamma market ${slug}: conditionId is not 0x + 64 hex digits`);
  }
  const outcomes = stringList(obj, 'outcomes', slug);
  const tokens = stringList(obj, 'clobTokenIds', slug);
  if (outcomes === null || tokens === null)
    throw new InputError(`Gamma market ${slug}: missing outcomes or clobTokenIds`);
  const labels = outcomes.map((o) => o.trim().toLowerCase());
  const up = labels.indexOf('up');
  const down = labels.indexOf('down');
  if (outcomes.length !== 2 || up < 0 || down < 0) {
    throw new InputError(
      `Gamma market ${slug}: outcomes ${JSON.stringify(outcomes)} are not one Up and one Down`,
    );
  }
  if (tokens.length !== 2 || !tokens.every((t) => /^\d{1,80}$/.test(t)) || tokens[0] === tokens[1]) {
    throw new InputError(`Gamma market ${slug}: clobTokenIds must be two distinct decimal token ids`);
  }
  const prices = stringList(obj, 'outcomePrices', slug);
  if (prices !== null) {
    const ok =
      prices.length === 2 &&
      prices.every((p) => {
        try {
          const v = parseMicros(p);
          return v !== null && v >= 0 && v <= 1_000_000;
        } catch {
          return false;
        }
      });
    if (!ok)
      throw new InputError(
        `Gamma market ${slug}: outcomePrices ${JSON.stringify(prices)} are not two prices in [0, 1]`,
      );
  }

  const startField = isoMs(obj, 'eventStartTime', slug);
  const endField = isoMs(obj, 'endDate', slug);
  const window = parseSlug(slug, startField === null ? {} : { refMs: startField });
  if (window === null) throw new InputError(`Gamma market ${slug}: slug is not a supported Up/Down window`);
  const startMs = window.windowEpoch * 1000;
  const endMs = startMs + window.windowSec * 1000;
  if (startField !== null && startField !== startMs) {
    throw new InputError(
      `Gamma market ${slug}: eventStartTime ${String(obj.eventStartTime)} disagrees with the slug`,
    );
  }
  if (endField !== null && endField !== endMs) {
    throw new InputError(`Gamma market ${slug}: endDate ${String(obj.endDate)} is not the slug's window end`);
  }
  const tickSize = micros(obj, 'orderPriceMinTickSize', slug);
  if (tickSize !== null && !VALID_TICK_SIZES.has(tickSize)) {
    throw new InputError(
      `Gamma market ${slug}: orderPriceMinTickSize ${String(obj.orderPriceMinTickSize)} is not a venue tick`,
    );
  }
  return {
    window,
    slug,
    conditionId,
    upTokenId: tokens[up] as string,
    downTokenId: tokens[down] as string,
    startMs,
    endMs,
    tickSize,
    minOrderSize: micros(obj, 'orderMinSize', slug),
    negRisk: bool(obj, 'negRisk', slug),
    protocolVersion: protocolVersion(obj, slug),
    active: bool(obj, 'active', slug),
    closed: bool(obj, 'closed', slug),
  };
}

/**
 * Parses a Gamma response holding markets: an event (`markets[]`), a market, or an array of
 * either (`GET /events?slug=` and `GET /markets?slug=` return arrays). Returns every market in
 * order; an empty array for an empty response.
 * @throws {InputError} when the response has another shape or any market fails
 *   {@link parseGammaMarket} (the message names its position).
 */
export function parseGammaEventOrMarkets(obj: unknown): MarketInfo[] {
  const items: readonly unknown[] = Array.isArray(obj) ? obj : [obj];
  const out: MarketInfo[] = [];
  items.forEach((item, i) => {
    if (!isObj(item)) throw new InputError(`Gamma response item ${i}: not an object`);
    const markets = Array.isArray(item.markets) ? (item.markets as unknown[]) : [item];
    markets.forEach((m, j) => {
      try {
        out.push(parseGammaMarket(m));
      } catch (cause) {
        const where = markets.length === 1 && markets[0] === item ? `item ${i}` : `item ${i} market ${j}`;
        throw new InputError(
          `Gamma response ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
          {
            cause,
          },
        );
      }
    });
  });
  return out;
}

/** Whether this trader can trade a market, with the reason when not (issue #8 point 8). */
export type MarketSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Returns whether the trader handles `m` (pure). Refused: neg-risk markets (orders go to the
 * NegRisk exchange and redeem to the NegRisk Adapter, §7.6; up/down windows are not neg-risk,
 * §2.3) and any protocol other than `v1` (Protocol-V2 markets use PositionManager ids, the
 * `CONDITIONAL-V2` balance type and a Router redeem, §10, UNCONFIRMED). The reason is one log line.
 */
export function marketSupport(
  m: Pick<MarketInfo, 'slug' | 'negRisk'> & { readonly protocolVersion?: string | undefined },
): MarketSupport {
  if (m.negRisk)
    return {
      ok: false,
      reason: `market ${m.slug} is neg-risk (NegRisk exchange and adapter): not traded by this trader`,
    };
  const version = m.protocolVersion ?? 'v1';
  if (version !== 'v1')
    return {
      ok: false,
      reason: `market ${m.slug} is protocol ${version} (Protocol-V2: PositionManager ids, CONDITIONAL-V2 balances, Router redeem): not traded by this trader`,
    };
  return { ok: true };
}
