/**
 * Exit-policy state across a `kill -9` on the live path (issue #12): a live trader running a
 * policy whose state is computed once per position (`volatility_trail` computes its stages on the
 * first tick after the fill and journals `STAGES_CALCULATED`) is killed with -9 once that state is
 * in the database; the restarted trader resumes the run and the position with the stored state:
 * the stages are not computed again (one `STAGES_CALCULATED` for the position over both processes)
 * and are the same after the restart. Real CLI child processes against the local EVM and exchange.
 */
import type { PositionRecord } from '../../src/trader/journal-records';
import { sameToken, useCrashRig } from '../helpers/crash-harness';
import { waitFor } from '../helpers/wait-for';

const TEST_MS = 150_000;
// the trail never activates (activation 0.9 above entry): the position stays OPEN on its stages
const POLICIES = JSON.stringify({
  policies: {
    volatility_trail: { FORCE_FIXED_TRAILING_PAIRS: ['BTC', 'ETH', 'SOL', 'XRP'], BASE_ACTIVATION_USDC: 0.9 },
  },
});

const fx = useCrashRig('policy-restart');

const stagesOf = (p: PositionRecord | undefined): unknown => p?.exitState?.policies['volatility_trail'];

test(
  'kill -9 with policy state stored: the restart resumes the same stages, not computed again',
  async () => {
    const { sc, buy } = await fx.rig.startUntilFirstFill({ env: { EXIT_POLICIES: POLICIES } });
    const token = buy.asset_id;
    const mineOpen = async (): Promise<PositionRecord | undefined> =>
      (await fx.db.rows(sc.wallet.address)).positions.find(
        (p) => sameToken(p.tokenId, token) && p.state === 'OPEN' && stagesOf(p) !== undefined,
      );
    // ticks after the fill: the policy runs and its state reaches the database
    fx.stack.exchange.play();
    try {
      await waitFor(async () => (await mineOpen()) !== undefined, 60_000, {
        what: 'the stored policy state',
      });
    } finally {
      fx.stack.exchange.pause();
    }
    await fx.rig.kill9(sc.trader);
    const before = (await mineOpen())!;
    const stages = stagesOf(before) as Record<string, unknown>;
    expect(stages).toMatchObject({ method: 'fixed', A: 900_000, D: 50_000 });

    const again = await fx.rig.restart(sc.env);
    expect(again.out).toContain('(resumed)');
    expect(await fx.rig.runThenStop(again)).toBe(0);

    const rows = await fx.db.rows(sc.wallet.address);
    const after = rows.positions.find((p) => p.positionKey === before.positionKey)!;
    // the same stages (an OPEN position keeps them; a closed one keeps its last snapshot's)
    expect(stagesOf(after)).toMatchObject({ method: 'fixed', A: stages['A'], D: stages['D'] });
    const computed = rows.events.filter(
      (e) => e.positionKey === before.positionKey && e.type === 'STAGES_CALCULATED',
    );
    expect(computed).toHaveLength(1);
    expect(rows.events.some((e) => e.positionKey === before.positionKey && e.type === 'RESTORED')).toBe(true);
  },
  TEST_MS,
);
