/**
 * The correction command (issue #10): every correction the live loop makes to the trader goes
 * through `LiveTrader.correct` — chain sizes (`shares`), no tokens (`close`), an unanswered entry
 * confirmed by the chain (`confirm_entry`), unexplained tokens (`adopt`), a redeem payout
 * (`payout`) and a window resolved on chain (`chain_winner`) — each journaled, each reporting
 * whether it applied. Deterministic: a scripted strategy on the simulated venue.
 */
import { windowEndMs } from '../../src/core/types';
import { RECONCILED_STRATEGY } from '../../src/trader/live-trader';
import { at, eventTypes, runScenario, ScriptedStrategy, up } from '../helpers/scenario';

const KEY = 's1_BTC_15m_1766745000';
const WINDOW = { crypto: 'BTC' as const, windowSec: 900, windowEpoch: 1_766_745_000 };

/** One OPEN UP position bought at 10 s (0.49), the engine not finished. */
const opened = () => {
  const e = runScenario([up(10, 0.49), up(11, 0.49)], {
    strategies: [new ScriptedStrategy('s1', [[at(10), 'UP']])],
    finish: false,
  });
  expect(e.trader.position(KEY)?.state).toBe('OPEN');
  return e;
};

describe('LiveTrader.correct', () => {
  it('shares: adopts the chain size and journals RECONCILED with before/after', () => {
    const e = opened();
    const before = e.trader.position(KEY)!.shares;
    const r = e.trader.correct(
      { kind: 'shares', key: KEY, shares: 7_000_000, audit: { kind: 'size' } },
      at(12),
    );
    expect(r).toMatchObject({ applied: true, commands: [] });
    expect(r.position?.shares).toBe(7_000_000);
    const row = e.sink.bufferedEvents().find((x) => x.type === 'RECONCILED');
    expect(row).toMatchObject({
      positionKey: KEY,
      data: { kind: 'size', sharesBefore: before, sharesAfter: 7_000_000 },
    });
    expect(e.trader.correct({ kind: 'shares', key: 'nope', shares: 1, audit: {} }, at(12)).applied).toBe(
      false,
    );
  });

  it('close: no tokens behind an OPEN position → CLOSED (manual, proceeds 0); a second close does not apply', () => {
    const e = opened();
    const r = e.trader.correct({ kind: 'close', key: KEY, audit: { kind: 'missing' } }, at(12));
    expect(r.applied).toBe(true);
    expect(r.position).toMatchObject({ state: 'CLOSED', exitReason: 'manual', proceedsUsdc: 0 });
    expect(eventTypes(e, KEY).slice(-2)).toEqual(['RECONCILED', 'CLOSED']);
    expect(e.trader.correct({ kind: 'close', key: KEY, audit: {} }, at(13)).applied).toBe(false);
  });

  it('confirm_entry applies only to a PENDING entry', () => {
    const e = opened();
    expect(e.trader.correct({ kind: 'confirm_entry', key: KEY, shares: 5, audit: {} }, at(12)).applied).toBe(
      false,
    );
  });

  it('adopt: unexplained tokens become an OPEN position of strategy reconciled, held to resolution', () => {
    const e = opened();
    const r = e.trader.correct(
      {
        kind: 'adopt',
        window: WINDOW,
        side: 'DOWN',
        tokenId: 'tok-down',
        shares: 3_000_000,
        audit: { kind: 'extra' },
      },
      at(12),
    );
    expect(r.applied).toBe(true);
    expect(r.position).toMatchObject({
      strategy: RECONCILED_STRATEGY,
      state: 'OPEN',
      side: 'DOWN',
      shares: 3_000_000,
      holdToResolution: true,
    });
    expect(e.trader.position(r.position!.key)).toBe(r.position);
    expect(eventTypes(e, r.position!.key)).toEqual(['RECONCILED']);
  });

  it('chain_winner closes the window at the chain winner and forgets it; a second one does not apply', () => {
    const e = opened();
    const end = windowEndMs(WINDOW);
    const r = e.trader.correct({ kind: 'chain_winner', window: WINDOW, winner: 'DOWN' }, end + 1_000);
    expect(r).toMatchObject({ applied: true, commands: [] });
    const trade = e.sink.trades.find((t) => t.positionKey === KEY)!;
    expect(trade).toMatchObject({ exitReason: 'window_expiry', exitPrice: 0 }); // UP lost on chain
    expect(e.trader.position(KEY)).toBeUndefined(); // the window is forgotten
    expect(
      e.trader.correct({ kind: 'chain_winner', window: WINDOW, winner: 'UP' }, end + 2_000).applied,
    ).toBe(false);

    expect(r.position).toBeNull();
  });

  it('payout: proceeds replace the predicted payout, P&L recomputed, REDEEMED journaled', () => {
    const e = opened();
    const p = e.trader.position(KEY)!;
    e.trader.correct({ kind: 'chain_winner', window: WINDOW, winner: 'UP' }, windowEndMs(WINDOW));
    expect(p.state).toBe('CLOSED');
    const r = e.trader.correct(
      { kind: 'payout', position: p, proceeds: 9_000_000, data: { txHash: '0xabc' } },
      windowEndMs(WINDOW) + 5_000,
    );
    expect(r).toMatchObject({ applied: true, position: p, commands: [] });
    expect(p.proceedsUsdc).toBe(9_000_000);
    expect(p.pnlUsdc).toBe(9_000_000 - (p.exitFeeUsdc ?? 0) - p.costUsdc);
    const row = e.sink.bufferedEvents().find((x) => x.type === 'REDEEMED');
    expect(row).toMatchObject({
      positionKey: KEY,
      data: { txHash: '0xabc', proceeds: 9_000_000, pnl: p.pnlUsdc },
    });
  });
});
