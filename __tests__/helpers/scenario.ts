/**
 * Test scenarios: one BTC 15m window, rows built from prices in USDC, scripted strategies that
 * signal at given times, and a replay engine over them (sim venue, no database).
 */
import { loadConfig, type Config, type Settings } from '../../src/config/schema';
import { toMicros } from '../../src/core/money';
import type { Side, Signal, Tick, TickRow } from '../../src/core/types';
import type { BookStore } from '../../src/book/book-store';
import type { VirtualClock } from '../../src/core/clock';
import type { ExecutionVenue } from '../../src/execution/venue';
import { ReplayEngine } from '../../src/replay/replay-engine';
import type { Strategy } from '../../src/strategy/strategy';

/** Window start used by scenarios: 2025-12-26 10:30:00 UTC. */
export const EPOCH = 1766745000;
/** ms of `sec` seconds into the scenario window. */
export const at = (sec: number): number => (EPOCH + sec) * 1000;

/** Prices of one row in USDC (null = absent); sizes default to 10,000 shares. */
export interface RowPrices {
  upBid?: number | null;
  upAsk?: number | null;
  downBid?: number | null;
  downAsk?: number | null;
  size?: number | null;
}

/** A row at `sec` seconds into the window; DOWN defaults to the complement of UP. */
export function row(sec: number, p: RowPrices): TickRow {
  const size = p.size === undefined ? toMicros(10_000) : p.size === null ? null : toMicros(p.size);
  const m = (x: number | null | undefined): number | null =>
    x === null || x === undefined ? null : toMicros(x);
  const upBid = p.upBid ?? null;
  const upAsk = p.upAsk ?? null;
  const downBid = p.downBid !== undefined ? p.downBid : upAsk === null ? null : round2(1 - upAsk);
  const downAsk = p.downAsk !== undefined ? p.downAsk : upBid === null ? null : round2(1 - upBid);
  return {
    tsMs: at(sec),
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: EPOCH,
    upBid: m(upBid),
    upAsk: m(upAsk),
    upBidSize: upBid === null ? null : size,
    upAskSize: upAsk === null ? null : size,
    downBid: m(downBid),
    downAsk: m(downAsk),
    downBidSize: downBid === null ? null : size,
    downAskSize: downAsk === null ? null : size,
    spot: null,
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A UP-side row with a 0.01 spread: bid `bid`, ask `bid + 0.01`. */
export const up = (sec: number, bid: number): TickRow => row(sec, { upBid: bid, upAsk: round2(bid + 0.01) });

/** A strategy that signals `side` at the given times (ms) — one signal per listed time. */
export class ScriptedStrategy implements Strategy {
  constructor(
    readonly name: string,
    private readonly script: ReadonlyArray<readonly [number, Side]>,
  ) {}
  onTick(tick: Tick): readonly Signal[] {
    return this.script
      .filter(([ts]) => ts === tick.tsMs)
      .map(([, side]) => ({ strategy: this.name, side, note: 'scripted' }));
  }
  dropWindow(): void {}
}

/** Test config: the defaults with fees off (exact numbers) and any overrides. */
export function testConfig(overrides: Partial<Settings> = {}): Config {
  return loadConfig({ env: {}, overrides: { FEE_RATE: 0, ...overrides } });
}

/** Runs rows through a replay engine (no database) and returns it, finished. */
export function runScenario(
  rows: readonly TickRow[],
  opts: {
    strategies: readonly Strategy[];
    config?: Partial<Settings>;
    venue?: (books: BookStore, clock: VirtualClock) => ExecutionVenue;
    finish?: boolean;
  },
): ReplayEngine {
  const engine = new ReplayEngine({
    config: testConfig(opts.config),
    strategies: opts.strategies,
    persistTicks: false,
    ...(opts.venue ? { venue: opts.venue } : {}),
  });
  for (const r of rows) engine.step(r);
  if (opts.finish !== false) engine.finish();
  return engine;
}

/** Event types of one position, in journal order. */
export function eventTypes(engine: ReplayEngine, key: string): string[] {
  return engine.sink
    .bufferedEvents()
    .filter((e) => e.positionKey === key)
    .map((e) => e.type);
}
