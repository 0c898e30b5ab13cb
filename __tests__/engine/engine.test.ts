/**
 * The engine (issue #10): several engines run side by side on one tick stream without sharing
 * mutable state (each gives exactly the trades it gives alone), and simulated latency runs as
 * timers on the engine's clock in the documented order — orders due before a tick's time, then
 * the tick, then orders due at it.
 */
import { join, resolve } from 'node:path';
import { VirtualClock } from '../../src/core/clock';
import { MICROS } from '../../src/core/money';
import type { OrderCommand, TickRow, VenueEvent } from '../../src/core/types';
import { BookStore } from '../../src/book/book-store';
import { loadConfig, type Config } from '../../src/config/schema';
import { Engine } from '../../src/engine/engine';
import { RecordingSink } from '../../src/engine/recording-sink';
import { SimVenue } from '../../src/execution/sim-venue';
import type { ExecutionVenue } from '../../src/execution/venue';
import { loadInput } from '../../src/feed/input';
import { ReplayEngine } from '../../src/replay/replay-engine';
import { createStrategies } from '../../src/strategy/factory';

const FILE = join(resolve(__dirname, '../../../shared/data/borisz42-btc15m'), 'market_data_20251226.csv.gz');

function simEngine(cfg: Config, books: BookStore): Engine {
  const journal = new RecordingSink((w) => {
    const t = books.window(w);
    return { up: t.up.tokenId, down: t.down.tokenId };
  }, false);
  return new Engine({
    config: cfg,
    strategies: createStrategies(cfg.strategies),
    journal,
    venue: (clock) =>
      new SimVenue({
        bookOf: (id) => books.find(id),
        clock,
        latencyMs: cfg.SIM_LATENCY_MS,
        fee: { rate: cfg.FEE_RATE, exponent: cfg.FEE_EXPONENT },
        minNotional: Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS),
      }),
  });
}

describe('Engine', () => {
  let rows: readonly TickRow[] = [];
  beforeAll(async () => {
    rows = (await loadInput(FILE)).rows;
  });

  it('three engines on one tick stream each trade exactly as they do alone', () => {
    const configs = [
      loadConfig({ env: {} }),
      loadConfig({ env: { SIM_LATENCY_MS: '250' } }),
      loadConfig({ env: { STOP_LOSS_PCT: '0.1', TRAILING_ACTIVATION_PCT: '0.25' } }),
    ];
    const alone = configs.map((cfg) => {
      const r = new ReplayEngine({ config: cfg, persistTicks: false });
      for (const row of rows) r.step(row);
      r.finish();
      return r.sink.trades;
    });
    // one book store, one tick per row, handed to every engine in turn
    const books = new BookStore();
    const engines = configs.map((cfg) => simEngine(cfg, books));
    let last = 0;
    for (const row of rows) {
      for (const e of engines) e.advance(row.tsMs);
      const tick = books.applyRow(row);
      for (const e of engines) e.decide(tick);
      last = Math.max(last, row.tsMs);
    }
    for (const e of engines) e.finish(last);
    expect(alone[0]!.length).toBeGreaterThan(20);
    engines.forEach((e, i) => expect(e.journal.trades).toEqual(alone[i]));
    // different configurations really traded differently
    expect(alone[1]).not.toEqual(alone[0]);
    expect(alone[2]).not.toEqual(alone[0]);
  });

  it('runs orders due before a tick before it, then the tick, then orders due at its time', () => {
    const cfg = loadConfig({ env: {} });
    const log: string[] = [];
    let clockOf: VirtualClock | null = null;
    /** A venue whose orders arrive after 100 ms (scheduled on the engine's clock). */
    const venue = (clock: VirtualClock): ExecutionVenue => {
      clockOf = clock;
      let listener: (ev: VenueEvent) => void = () => undefined;
      return {
        name: 'timed',
        setListener: (l) => (listener = l),
        submit: (cmd: OrderCommand) =>
          clock.schedule(clock.now() + 100, (due) => {
            log.push(`arrive ${cmd.clientOrderId}@${due}`);
            listener({ kind: 'rejected', clientOrderId: cmd.clientOrderId, tsMs: due, reason: 'test' });
          }),
      };
    };
    const engine = new Engine({
      config: cfg,
      strategies: [],
      journal: new RecordingSink(() => ({ up: '', down: '' }), false),
      venue,
    });
    const cmd = (id: string): OrderCommand => ({
      clientOrderId: id,
      positionKey: 'k',
      purpose: 'entry',
      tokenId: 't',
      window: { crypto: 'BTC', windowSec: 900, windowEpoch: 0 },
      side: 'BUY',
      tif: 'FOK',
      limitPrice: 500_000,
      notional: 5_000_000,
      createdMs: 0,
    });
    engine.advance(1_000);
    engine.venue.submit(cmd('a')); // due 1100
    engine.advance(1_050);
    engine.venue.submit(cmd('b')); // due 1150
    engine.advance(1_100); // 'a' is due at the tick's time: not before it
    expect(log).toEqual([]);
    engine.advance(1_101);
    expect(log).toEqual(['arrive a@1100']);
    expect(clockOf!.pendingTimers).toBe(1);
    engine.advance(1_150);
    expect(log).toEqual(['arrive a@1100']);
    engine.finish(1_150); // everything still travelling arrives
    expect(log).toEqual(['arrive a@1100', 'arrive b@1150']);
  });
});
