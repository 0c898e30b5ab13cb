/**
 * Issue #12's regression test: with the default exit-policy configuration the replay of the shared
 * data writes exactly the `trades.jsonl` it wrote before the policy engine (the hashes below were
 * taken from the build before issue #12, at SIM_LATENCY_MS 0 and 250), and so does every policy
 * family whose master switch is off ("off = absent", exit-policies.md §1.3 rule 8).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/schema';
import type { TickRow } from '../../src/core/types';
import { loadInput } from '../../src/feed/input';
import { ReplayEngine } from '../../src/replay/replay-engine';
import { compareTrades } from '../../src/trader/position';

const DATA = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
/** md5 of trades.jsonl before issue #12 (209 lines at latency 0, 196 at 250). */
const BEFORE: Record<string, { lines: number; md5: string }> = {
  '0': { lines: 209, md5: '4933220ae2f02ec8c6ef1b393adb6ddb' },
  '250': { lines: 196, md5: '2dc03528616a70c4ae56c25f2c6e3464' },
};

let rows: TickRow[] = [];
beforeAll(async () => {
  rows = (await loadInput(DATA)).rows;
});

/** The trades file's bytes (as `writeTradesFile` writes them) for settings `env`. */
function tradesOf(env: Record<string, string>): { lines: number; md5: string } {
  const engine = new ReplayEngine({ config: loadConfig({ env }), persistTicks: false });
  for (const r of rows) engine.step(r);
  engine.finish();
  const text = [...engine.sink.trades]
    .sort(compareTrades)
    .map((t) => JSON.stringify(t) + '\n')
    .join('');
  return { lines: engine.sink.trades.length, md5: createHash('md5').update(text).digest('hex') };
}

const OFF_SETS: Record<string, unknown> = {
  trail_exit: { TRAILING_ENABLED: false },
  profit_lock: { ENABLE_GUARANTEED_PROFIT_LOCK: false },
  volatility_trail: { ENABLE_DYNAMIC_TRAILING: false },
  step_lock: { ENABLE_STEP_TRAILING: false },
  dynamic_target: { ENABLE_DYNAMIC_TARGETS: false },
  time_exit: { ENABLE_TIME_EXIT: false, MAX_HOLD_MS: 60_000 },
  expiry_trail: { ENABLE_EXPIRY_TRAIL: false },
};

describe('default exit policies reproduce the trades of before issue #12 byte for byte', () => {
  it.each(Object.keys(BEFORE))('SIM_LATENCY_MS=%s, EXIT_POLICIES unset', (latency) => {
    expect(tradesOf({ SIM_LATENCY_MS: latency })).toEqual(BEFORE[latency]);
  });

  it('an explicit default set (trailing_stop only) is the same', () => {
    const set = JSON.stringify({ name: 'default', policies: { trailing_stop: true } });
    expect(tradesOf({ EXIT_POLICIES: set })).toEqual(BEFORE['0']);
  });

  it.each(Object.keys(OFF_SETS))('%s with its master switch off is the default', (family) => {
    const set = JSON.stringify({ policies: { [family]: OFF_SETS[family] } });
    expect(tradesOf({ EXIT_POLICIES: set })).toEqual(BEFORE['0']);
  });

  it('a policy family that is on changes the trades (the test can fail)', () => {
    const set = JSON.stringify({ policies: { trail_exit: {} } });
    expect(tradesOf({ EXIT_POLICIES: set }).md5).not.toBe(BEFORE['0']!.md5);
  });
});
