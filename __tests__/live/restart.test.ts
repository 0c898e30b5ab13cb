/**
 * Restart of a live trader killed with -9 (issues #4, #9), steps 4 and 5 of an order's life: a
 * position OPEN, and one EXITING (its sell filled at the venue, the answer still held). The
 * restarted trader resumes the run from the database, settles the in-flight order by asking the
 * venue, reconciles against the chain with zero discrepancies, never sends an order twice (POSTs
 * counted at the exchange) and never sells twice. Real CLI child processes against one local EVM
 * and local exchange; on the database of the test pass (PostgreSQL when `DATABASE_URL` is set,
 * else embedded PGlite: see `crash-harness.ts`). Steps 1–3 are in `crash-entry.test.ts`, 6–7 in
 * `crash-chain.test.ts`.
 */
import { writeFileSync } from 'node:fs';
import { positionKeyOfClientOrderId } from '../../src/core/ids';
import { expectConsistent, sameToken, sellOrders, useCrashRig } from '../helpers/crash-harness';

const TEST_MS = 120_000;

const fx = useCrashRig('restart');

test(
  'kill -9 with a position OPEN: the restart restores it, reconciles with 0 discrepancies, sells at most once',
  async () => {
    const postsAtStart = fx.stack.exchange.clob.orderPosts;
    // no tick until the restart: the position stays OPEN
    const { sc, buy } = await fx.rig.startUntilFirstFill();
    const { trader, mine } = sc;
    const token = buy.asset_id;
    await trader.flushed(); // the fill is in the journal
    await fx.rig.kill9(trader);
    const before = await fx.db.rows(sc.wallet.address);
    const openAtKill = before.positions.filter((p) => sameToken(p.tokenId, token) && p.state === 'OPEN');
    expect(openAtKill.length).toBeGreaterThan(0);

    const again = await fx.rig.restart(sc.env);
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    expect(await fx.rig.runThenStop(again)).toBe(0);

    const rows = await fx.db.rows(sc.wallet.address);
    await expectConsistent(
      fx.rig,
      sc,
      rows,
      before.positions.filter((p) => p.state !== 'CLOSED').map((p) => p.positionKey),
      { postsAtStart },
    );
    const ofToken = rows.positions.filter((p) => sameToken(p.tokenId, token));
    const sold = ofToken.filter((p) => p.state === 'CLOSED' && (p.proceedsUsdc ?? 0) > 0).length;
    expect(sellOrders(mine(), token).size).toBeLessThanOrEqual(Math.max(1, sold));
    expect(sellOrders(mine(), token).size).toBeLessThanOrEqual(ofToken.length);
  },
  TEST_MS,
);

test(
  'kill -9 with a position EXITING (sell filled, answer held): the restart settles it from the venue, no second sell',
  async () => {
    const postsAtStart = fx.stack.exchange.clob.orderPosts;
    // a long request timeout: the killed trader is surely still waiting for the held answer
    // no tick: the position stays OPEN until the flatten
    const { sc } = await fx.rig.startUntilFirstFill({ env: { CLOB_REQUEST_TIMEOUT_MS: '30000' } });
    const { trader, mine } = sc;
    // entries stopped (the trader saw the file): the next order is an exit
    await trader.until('the kill switch', () => trader.count('kill switch changed') > 0);
    await trader.flushed(); // the entry's fill is settled and journaled
    const sellsBefore = mine().filter((t) => t.side === 'SELL').length;
    fx.stack.exchange.clob.faults.timeoutAfterFillNext(1, 20_000);
    writeFileSync(sc.killFile, 'flatten\n');
    await trader.until(
      'the exit fill',
      () => mine().filter((t) => t.side === 'SELL').length > sellsBefore,
      30_000,
    );
    await fx.rig.kill9(trader);
    const held = mine().filter((t) => t.side === 'SELL')[sellsBefore]!;
    expect(fx.stack.exchange.clob.faults.stats.timeouts).toBeGreaterThanOrEqual(1);
    // killed while EXITING: the sell's attempt was stored before it was posted
    const before = await fx.db.rows(sc.wallet.address);
    const exiting = before.attempts.find(
      (a) => a.venueOrderId.toLowerCase() === held.taker_order_id.toLowerCase(),
    );
    expect(exiting).toBeDefined();
    const key = positionKeyOfClientOrderId(exiting!.clientOrderId)!;
    // the exit order is stored as sent, its outcome unseen
    expect(before.orders.find((o) => o.clientOrderId === exiting!.clientOrderId)?.status).toBe('pending');
    // and the position is stored EXITING with the order (write-ahead snapshot)
    expect(before.positions.find((x) => x.positionKey === key)?.state).toBe('EXITING');
    fx.stack.exchange.clob.faults.reset();
    writeFileSync(sc.killFile, 'stop entries\n'); // a restarted trader must not flatten again

    const again = await fx.rig.restart({ ...sc.env, CLOB_REQUEST_TIMEOUT_MS: '1000' });
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    expect(await fx.rig.runThenStop(again)).toBe(0);

    const rows = await fx.db.rows(sc.wallet.address);
    await expectConsistent(fx.rig, sc, rows, [key], { postsAtStart });
    const p = rows.positions.find((x) => x.positionKey === key);
    expect(p).toBeDefined();
    expect(p!.state).toBe('CLOSED');
    expect(p!.proceedsUsdc ?? 0).toBeGreaterThan(0);
    expect(p!.exitReason).toBe('manual');
    expect(p!.exitFeeUsdc ?? 0).toBeGreaterThan(0); // the fee schedule is loaded before the fill is priced
    // no line of the trader's output carries the key
    expect(again.out + again.err).not.toContain(sc.env.PRIVATE_KEY!.slice(2));

    // no second sell: one SELL order for the position, and per token no more than positions sold
    const keyOf = new Map(
      rows.attempts.map((a) => [a.venueOrderId.toLowerCase(), a.clientOrderId.split(':')[0]] as const),
    );
    const sellsOfKey = new Set(
      mine()
        .filter((t) => t.side === 'SELL' && keyOf.get(t.taker_order_id.toLowerCase()) === key)
        .map((t) => t.taker_order_id),
    );
    expect(sellsOfKey.size).toBe(1);
    const sold = rows.positions.filter(
      (x) => sameToken(x.tokenId, held.asset_id) && x.state === 'CLOSED' && (x.proceedsUsdc ?? 0) > 0,
    ).length;
    expect(sellOrders(mine(), held.asset_id).size).toBeLessThanOrEqual(sold);
  },
  TEST_MS,
);
