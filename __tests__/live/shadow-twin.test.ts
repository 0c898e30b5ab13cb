/**
 * The paper twin beside a live run (issue #11): `trade --mode live` (real CLI child, local EVM and
 * local exchange) runs the twin by default — its run is mode `shadow`, linked to the live run; it
 * sees the same ticks, so its positions carry the live positions' keys and pair with them; it
 * never sends an order (POSTs counted at the exchange = the live trader's attempts); its trades go
 * to `trades.shadow.jsonl`. A restart resumes the same twin run. `--no-shadow` turns it off.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pairPositions } from '../../src/parity/pairing';
import { useCrashRig } from '../helpers/crash-harness';

const TEST_MS = 150_000;

const fx = useCrashRig('twin');

test(
  'live with the twin: a shadow run linked to the live run, paired positions, no order from the twin, resumed on restart',
  async () => {
    const postsAtStart = fx.stack.exchange.clob.orderPosts;
    const { sc } = await fx.rig.startUntilFirstFill();
    expect(sc.trader.out).toMatch(/paper twin: run \d+ \(mode shadow, linked to live run \d+\)/);
    expect(await fx.rig.runThenStop(sc.trader)).toBe(0);

    const live = await fx.db.rows(sc.wallet.address);
    const twin = await fx.db.twin(sc.wallet.address);
    expect(twin).not.toBeNull();
    expect(twin!.runId).not.toBe(twin!.liveRunId);
    // the twin decided on the same ticks: the live entry has its paper counterpart under the same key
    // (as the parity monitor does, only positions that opened pair: a live entry killed by a moved
    // book leaves a never-filled record, which is an `only_paper` row, not a pair)
    const filled = (ps: typeof live.positions) => ps.filter((p) => p.entryTimeMs !== null);
    const rows = pairPositions(
      filled(live.positions).map((position) => ({ position })),
      filled(twin!.positions).map((position) => ({ position })),
    );
    // (fills may differ — a FOK killed on one side by the book of the moment, a different exit:
    // that divergence is what parity measures; after a live kill the live retry is the strategy's
    // next key, `_2`, which the twin never needed (CI saw it) — but the decisions are the same: the
    // first live position, filled or not, has the twin's under the same key)
    expect(filled(live.positions).length).toBeGreaterThan(0);
    const twinKeys = new Set(twin!.positions.map((p) => p.positionKey));
    if (!live.positions.some((p) => twinKeys.has(p.positionKey)))
      throw new Error(
        `no twin position under a live key: live ${JSON.stringify(live.positions.map((p) => [p.positionKey, p.entryTimeMs]))}, ` +
          `twin ${JSON.stringify(twin!.positions.map((p) => [p.positionKey, p.entryTimeMs]))}\n${sc.trader.out.slice(-4000)}`,
      );
    const paired = rows.filter((r) => r.kind === 'pair');
    // the twin fills on the tick it decided on (no simulated latency); the live fill comes later
    for (const r of paired) expect(r.live!.entryTimeMs!).toBeGreaterThanOrEqual(r.paper!.entryTimeMs!);
    // the twin never sends an order: every POST at the exchange is a live attempt
    expect(fx.stack.exchange.clob.orderPosts - postsAtStart).toBe(live.attempts.length);
    expect(existsSync(join(sc.dir, 'trades.shadow.jsonl'))).toBe(true);

    // a restart resumes the live run and its twin's run
    const again = await fx.rig.restart(sc.env);
    expect(again.out).toContain(
      `paper twin: run ${twin!.runId} (mode shadow, linked to live run ${twin!.liveRunId})`,
    );
    expect(await fx.rig.runThenStop(again)).toBe(0);
    expect((await fx.db.twin(sc.wallet.address))!.runId).toBe(twin!.runId);
  },
  TEST_MS,
);

test(
  '--no-shadow: the live trader runs alone (no twin run, no twin trades file)',
  async () => {
    const sc = await fx.rig.start({ play: false, args: ['--no-shadow'] });
    expect(await fx.rig.runThenStop(sc.trader)).toBe(0);
    expect(sc.trader.out).not.toContain('paper twin');
    expect(await fx.db.twin(sc.wallet.address)).toBeNull();
    expect(existsSync(join(sc.dir, 'trades.shadow.jsonl'))).toBe(false);
  },
  TEST_MS,
);
