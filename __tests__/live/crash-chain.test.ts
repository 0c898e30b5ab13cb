/**
 * kill -9 of a live trader in the middle of its chain work (issue #9), steps 6 and 7 of an
 * order's life, with the trader's `RPC_URL` pointing at a JSON-RPC proxy that holds requests:
 * 6. during a reconciliation pass (its `balanceOfBatch` read held) → the restart restores the
 *    position and reconciles with 0 discrepancies;
 * 7. during a redeem (the redeem transaction reached the chain, its receipt held) → the restart
 *    finds the window redeemed, records what the transaction paid, 0 discrepancies.
 * No order sent twice (POSTs counted at the exchange), no position lost. Real CLI child
 * processes, one venue stack whose windows keep only their first 90 s (a position bought early is
 * held to its window's resolution), on the database of the test pass.
 */
import { windowEndMs } from '../../src/core/types';
import { expectConsistent, sameToken, useCrashRig } from '../helpers/crash-harness';
import { BALANCE_OF_BATCH, isCallTo, RpcProxy } from '../helpers/rpc-proxy';
import { waitFor } from '../helpers/wait-for';

const TEST_MS = 120_000;

const fx = useCrashRig('chain', { windows: 6, keepSec: 90 });
let proxy: RpcProxy;

beforeAll(async () => {
  proxy = await RpcProxy.start(fx.stack.chain.rpcUrl);
});

afterEach(() => {
  proxy.release();
});

afterAll(async () => {
  await proxy?.close();
});

/** Exit rules that never fire in these short windows: positions are held to resolution. */
const HOLD = { TRAILING_ACTIVATION_PCT: '5', STOP_LOSS_PCT: '0.5' };

test(
  'step 6, during a reconciliation pass (chain read held): the restart restores the position, 0 discrepancies',
  async () => {
    const postsAtStart = fx.stack.exchange.clob.orderPosts;
    const { sc } = await fx.rig.startUntilFirstFill({ env: { ...HOLD, RPC_URL: proxy.url } });
    const { trader } = sc;
    await trader.flushed();
    const held = proxy.held;
    proxy.holdWhen((c) => isCallTo(c, BALANCE_OF_BATCH));
    await trader.until('a reconciliation pass reading the chain', () => proxy.held > held, 15_000);
    await fx.rig.kill9(trader);
    proxy.release();

    const before = await fx.db.rows(sc.wallet.address);
    const open = before.positions.filter((p) => p.state === 'OPEN');
    expect(open.length).toBeGreaterThan(0);

    const again = await fx.rig.restart(sc.env);
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    expect(await fx.rig.runThenStop(again)).toBe(0);

    const rows = await fx.db.rows(sc.wallet.address);
    await expectConsistent(
      fx.rig,
      sc,
      rows,
      open.map((p) => p.positionKey),
      { postsAtStart },
    );
  },
  TEST_MS,
);

test(
  'step 7, during a redeem (transaction sent, receipt held): the restart records the payout, 0 discrepancies',
  async () => {
    const postsAtStart = fx.stack.exchange.clob.orderPosts;
    const { sc, buy } = await fx.rig.startUntilFirstFill({ env: { ...HOLD, RPC_URL: proxy.url } });
    const { trader } = sc;
    const m = fx.stack.markets.find(
      (x) => sameToken(x.upTokenId, buy.asset_id) || sameToken(x.downTokenId, buy.asset_id),
    )!;
    const side = sameToken(m.upTokenId, buy.asset_id) ? 'UP' : 'DOWN';
    // held to resolution: any exit the rules fire on the window's last rows is killed (FOK)
    fx.stack.exchange.clob.faults.killNext(1_000);
    await trader.flushed();
    // the window ends, then resolves for the position's side; the rows are applied one by one, so
    // the recording's gap to the next window is skipped
    const ended = (): boolean => fx.stack.exchange.clockMs() > windowEndMs(m.window) + 5_000;
    await waitFor(() => fx.stack.exchange.step(1) === 0 || ended(), 30_000, {
      what: 'the end of the window',
      everyMs: 20,
    });
    await trader.flushed();
    const held = proxy.held;
    proxy.holdAllAfter('eth_sendRawTransaction');
    await fx.stack.resolve(m.window, side);
    await trader.until('the redeem transaction sent', () => proxy.held > held, 30_000);
    await fx.rig.kill9(trader);
    proxy.release();
    fx.stack.exchange.clob.faults.reset();
    // the dead trader's redeem went through: the wallet holds no token of the window any more
    const ctf = fx.stack.chain.ctf.getFunction('balanceOf');
    expect((await ctf.staticCall(sc.wallet.address, buy.asset_id)) as bigint).toBe(0n);

    const before = await fx.db.rows(sc.wallet.address);
    // the position the BUY filled: under load an earlier FOK entry on the same token can have been
    // killed (CLOSED with no shares and no exit reason; CI picked it once)
    const key = before.positions.find(
      (p) => sameToken(p.tokenId, buy.asset_id) && p.entryPrice !== null,
    )!.positionKey;

    const again = await fx.rig.restart(sc.env);
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    expect(await fx.rig.runThenStop(again)).toBe(0);

    const rows = await fx.db.rows(sc.wallet.address);
    await expectConsistent(fx.rig, sc, rows, [], { postsAtStart });
    const p = rows.positions.find((x) => x.positionKey === key)!;
    if (p.state !== 'CLOSED' || p.exitReason !== 'window_expiry')
      throw new Error(
        `position ${JSON.stringify(p)}\nevents ${JSON.stringify(rows.events.filter((e) => e.positionKey === key))}\n` +
          `orders ${JSON.stringify(rows.orders.filter((o) => o.positionKey === key))}\nbefore the kill ${JSON.stringify(
            before.positions.find((x) => x.positionKey === key),
          )}\n${again.out.slice(-2000)}`,
      );
    // what the redeem paid is recorded: 1 USDC per share of the winning side
    expect(p.proceedsUsdc).toBe(p.shares);
    expect(rows.events.filter((e) => e.positionKey === key && e.type === 'REDEEMED')).toHaveLength(1);
  },
  TEST_MS,
);
