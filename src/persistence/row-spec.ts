/**
 * Field mappings between persistence records and table rows: column names (the record key in
 * snake_case) and storage kinds, plus the row ↔ record conversions. Integer micros are stored as
 * `numeric` whole units; int8 and numeric come back as strings on both backends (see `db.ts`).
 */
import { formatMicros, parseMicros } from '../core/money';
import type { ParityRecord } from '../parity/parity-record';
import type {
  FillRecord,
  OrderAttemptRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
  RawFrameRecord,
  RunRecord,
  TickRecord,
  WindowRecord,
} from './records';

/** Bind parameters per statement, below PostgreSQL's limit of 65535. */
export const MAX_PARAMS = 60_000;

export type Row = Record<string, unknown>;
/**
 * How a field is stored: text/int/bool as is, int8 (ms, epochs) as bigint, micros as numeric
 * whole units, float (spot USD, tick counts) as numeric, json as jsonb.
 */
export type Kind = 'text' | 'int' | 'int8' | 'micros' | 'float' | 'json' | 'bool';
/** Storage kind of every field of a record (the compiler checks that none is missing). */
type Kinds<T> = { readonly [K in keyof T]-?: Kind };
/** Field mapping: record key, column name (the key in snake_case), storage kind. */
export type Spec<T> = ReadonlyArray<readonly [keyof T & string, string, Kind]>;

/** Builds a {@link Spec} from a kinds map, in its key order. */
function spec<T>(kinds: Kinds<T>): Spec<T> {
  return Object.entries<Kind>(kinds).map(
    ([key, kind]) =>
      [key as keyof T & string, key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()), kind] as const,
  );
}

// The spreads only group fields on lines (prettier would put each field on a line of its own).
export const WINDOW = spec<WindowRecord>({
  ...{ slug: 'text', crypto: 'text', windowSec: 'int', windowEpoch: 'int8', conditionId: 'text' },
  ...{ upTokenId: 'text', downTokenId: 'text', winner: 'text' },
  ...{ startPrice: 'float', endPrice: 'float', expectedWinner: 'text' },
});
/** Without startedAtMs (timestamptz) and wallet (optional, lowercased): the repository maps those. */
export const RUN = spec<Omit<RunRecord, 'startedAtMs' | 'wallet' | 'linkedRunId'>>({
  ...{ mode: 'text', configHash: 'text', codeRevision: 'text', input: 'text', config: 'json' },
});
export const TICK = spec<TickRecord>({
  ...{ tsMs: 'int8', recvMs: 'int8', crypto: 'text', windowSec: 'int', windowEpoch: 'int8' },
  ...{ upBid: 'micros', upAsk: 'micros', upBidSize: 'micros', upAskSize: 'micros' },
  ...{ downBid: 'micros', downAsk: 'micros', downBidSize: 'micros', downAskSize: 'micros', spot: 'float' },
});
export const POSITION = spec<PositionRecord>({
  ...{ positionKey: 'text', strategy: 'text', crypto: 'text', windowSec: 'int', windowEpoch: 'int8' },
  ...{ side: 'text', tokenId: 'text', state: 'text', entryTimeMs: 'int8', entryPrice: 'micros' },
  ...{ shares: 'micros', costUsdc: 'micros', entryFeeUsdc: 'micros', highWaterMark: 'micros' },
  ...{ trailingActivatedAtMs: 'int8', exitReason: 'text', exitTimeMs: 'int8', exitPrice: 'micros' },
  ...{ proceedsUsdc: 'micros', exitFeeUsdc: 'micros', pnlUsdc: 'micros' },
  ...{ exitAttempts: 'int', updatedMs: 'int8', exitState: 'json' },
});
export const EVENT = spec<PositionEventRecord>({
  ...{ seq: 'int8', positionKey: 'text', type: 'text', fromState: 'text', toState: 'text' },
  ...{ tsMs: 'int8', data: 'json' },
});
export const ORDER = spec<OrderRecord>({
  ...{ clientOrderId: 'text', positionKey: 'text', purpose: 'text', tokenId: 'text', side: 'text' },
  ...{ tif: 'text', limitPrice: 'micros', notional: 'micros', shares: 'micros', status: 'text' },
  ...{ reason: 'text', createdMs: 'int8', updatedMs: 'int8' },
});
export const ORDER_ATTEMPT = spec<OrderAttemptRecord>({
  ...{ clientOrderId: 'text', venueOrderId: 'text', signedMs: 'int8' },
});
export const RAW_FRAME = spec<RawFrameRecord>({
  ...{ channel: 'text', recvMs: 'int8', venueTsMs: 'int8', text: 'text' },
});
export const FILL = spec<FillRecord>({
  ...{ tradeId: 'text', clientOrderId: 'text', positionKey: 'text', price: 'micros', shares: 'micros' },
  ...{ feeUsdc: 'micros', tsMs: 'int8' },
});

export const PARITY = spec<ParityRecord>({
  ...{ positionKey: 'text', kind: 'text', reason: 'text', strategy: 'text', crypto: 'text' },
  ...{ windowSec: 'int', windowEpoch: 'int8', liveEntryTimeMs: 'int8', paperEntryTimeMs: 'int8' },
  ...{ liveExitTimeMs: 'int8', paperExitTimeMs: 'int8', liveEntryPrice: 'micros', paperEntryPrice: 'micros' },
  ...{ liveExitPrice: 'micros', paperExitPrice: 'micros', liveShares: 'micros', paperShares: 'micros' },
  ...{ liveFeesUsdc: 'micros', paperFeesUsdc: 'micros', liveExitReason: 'text', paperExitReason: 'text' },
  ...{ liveExitAttempts: 'int', paperExitAttempts: 'int', livePnlUsdc: 'micros', paperPnlUsdc: 'micros' },
  ...{ entrySlippage: 'micros', entrySlippageTicks: 'float', exitSlippage: 'micros' },
  ...{ exitSlippageTicks: 'float', pnlDiffUsdc: 'micros', reasonAgrees: 'bool', latencyMs: 'int8' },
});

/** Returns a wallet address as stored: lowercased, null when absent. */
export function storedWallet(wallet: string | null | undefined): string | null {
  return wallet === undefined || wallet === null ? null : wallet.toLowerCase();
}

/** Converts a record to a row by `spec`; nulls stay null. */
export function toRow<T extends object>(spec: Spec<T>, rec: T, extra: Row = {}): Row {
  const row: Row = { ...extra };
  for (const [key, col, kind] of spec) {
    const v = rec[key] as unknown;
    if (v === null || v === undefined) row[col] = null;
    else if (kind === 'micros') row[col] = formatMicros(v as number);
    else if (kind === 'json') row[col] = JSON.stringify(v);
    else if (kind === 'float') row[col] = String(v);
    else row[col] = v;
  }
  return row;
}

/**
 * Converts a row to a record by `spec`: int8 text → number, numeric text → micros.
 * The string unions of a record (side, state, …) are trusted as written by {@link toRow}.
 * @throws {RangeError} when a numeric column holds a value outside the safe-integer micros range.
 */
export function fromRow<T>(spec: Spec<T>, row: Row): T {
  const rec: Row = {};
  for (const [key, col, kind] of spec) {
    const v = row[col];
    if (v === null || v === undefined) rec[key] = null;
    else if (kind === 'micros') rec[key] = parseMicros(String(v));
    else if (kind === 'int8' || kind === 'int' || kind === 'float') rec[key] = Number(v);
    else rec[key] = v;
  }
  return rec as T;
}

/** Returns `rows` split into slices of at most `size`. */
export function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Keeps the last row per key (one upsert statement may not touch a row twice). */
export function lastByKey<T>(rows: readonly T[], key: (r: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r] as const)).values()];
}
