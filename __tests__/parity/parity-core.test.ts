/**
 * Paper parity's pure core (issue #11): pairing by position key (both sides, one side only, with
 * the reason), each delta (entry and exit slippage in USDC a share and in ticks, P&L difference,
 * exit-reason agreement, deciding tick → live fill latency), the verdict's thresholds, and the
 * `[PARITY]` open-count line appearing and clearing.
 */
import { OpenCountParity } from '../../src/parity/open-count';
import { pairDeltas, pairPositions, type ParitySide } from '../../src/parity/pairing';
import { parityRecordOf } from '../../src/parity/parity-record';
import { paritySummary } from '../../src/parity/verdict';
import type { PositionRecord } from '../../src/trader/journal-records';
import { closedPosition, EPOCH } from '../helpers/parity-positions';

const side = (p: PositionRecord, decidedMs?: number): ParitySide =>
  decidedMs === undefined ? { position: p } : { position: p, decidedMs };

describe('pairing', () => {
  it('pairs by position key; one-sided positions carry their reason', () => {
    const k1 = `fast_BTC_15m_${EPOCH}`;
    const k2 = `fast_BTC_15m_${EPOCH}_2`;
    const rows = pairPositions(
      [
        side(closedPosition(k1)),
        side(closedPosition(`reconciled_BTC_15m_${EPOCH}`, { exitReason: null, pnlUsdc: null })),
      ],
      [side(closedPosition(k1)), side(closedPosition(k2))],
    );
    expect(rows.map((r) => [r.key, r.kind, r.reason])).toEqual([
      [k1, 'pair', null],
      [k2, 'only_paper', 'unknown'],
      [`reconciled_BTC_15m_${EPOCH}`, 'only_live', 'reconciled_adoption'],
    ]);
    const killed = pairPositions([], [side(closedPosition(k2))], new Map([[k2, 'entry_killed']]));
    expect(killed[0]).toMatchObject({ kind: 'only_paper', reason: 'entry_killed', live: null });
  });

  it('measures entry and exit slippage (USDC a share and ticks), P&L difference, reasons and latency', () => {
    const live = closedPosition('k', {
      entryPrice: 520_000,
      exitPrice: 550_000,
      pnlUsdc: 300_000,
      exitReason: 'stop_loss',
    });
    const paper = closedPosition('k', { entryPrice: 500_000, exitPrice: 580_000, pnlUsdc: 800_000 });
    const d = pairDeltas(side(live, EPOCH * 1000 + 9_750), side(paper));
    expect(d).toEqual({
      entrySlippage: 20_000, // live paid 0.02 more
      entrySlippageTicks: 2,
      exitSlippage: 30_000, // live sold 0.03 lower
      exitSlippageTicks: 3,
      pnlDiff: -500_000,
      reasonAgrees: false,
      liveLatencyMs: 250,
    });
    expect(pairDeltas(side(live), side(paper), 1_000).entrySlippageTicks).toBe(20);
    const open = pairDeltas(
      side(closedPosition('k', { exitPrice: null, exitReason: null, pnlUsdc: null })),
      side(paper),
    );
    expect(open).toMatchObject({
      exitSlippage: null,
      reasonAgrees: null,
      pnlDiff: null,
      liveLatencyMs: null,
    });
    expect(() => pairDeltas(side(live), side(paper), 0)).toThrow(RangeError);
  });
});

describe('verdict', () => {
  const t = { pnlTolerancePct: 10, exitAgreementPct: 90 };
  const k = (n: number): string => `fast_BTC_15m_${EPOCH + n * 900}`;
  const window = (n: number) => ({ windowEpoch: EPOCH + n * 900 });

  it('passes within ±10 % P&L, ≥ 90 % agreeing reasons and no paper exit without a live one', () => {
    const live = [
      side(closedPosition(k(0), { pnlUsdc: 950_000 })),
      side(closedPosition(k(1), { ...window(1), pnlUsdc: 1_000_000 })),
    ];
    const paper = [
      side(closedPosition(k(0), { pnlUsdc: 1_000_000 })),
      side(closedPosition(k(1), { ...window(1), pnlUsdc: 1_000_000 })),
    ];
    const s = paritySummary(pairPositions(live, paper).map(parityRecordOf), t);
    expect(s).toMatchObject({
      pairs: 2,
      pnlLive: 1_950_000,
      pnlPaper: 2_000_000,
      exitsAgreeing: 2,
      verdict: 'pass',
    });
    expect(s.failures).toEqual([]);
  });

  it('fails on each criterion with a line naming it', () => {
    const live = [side(closedPosition(k(0), { pnlUsdc: 500_000, exitReason: 'stop_loss' }))];
    const paper = [side(closedPosition(k(0), { pnlUsdc: 1_000_000 })), side(closedPosition(k(1), window(1)))];
    const s = paritySummary(pairPositions(live, paper).map(parityRecordOf), t);
    expect(s.verdict).toBe('fail');
    expect(s.onlyPaper).toBe(1);
    expect(s.paperExitsWithoutLive).toBe(1);
    expect(s.failures).toHaveLength(3);
    expect(s.failures.join('\n')).toMatch(/P&L: live 0.5 vs paper 1.8 USDC, outside ±10 %/);
    expect(s.failures.join('\n')).toMatch(/exit reasons agree on 0.0 % of 1 pairs/);
    expect(s.failures.join('\n')).toMatch(/1 paper exit\(s\) with no live exit/);
  });
});

describe('[PARITY] open counts', () => {
  it('logs when the counts start to differ and when they clear, not on every tick', () => {
    const c = new OpenCountParity();
    expect(c.update('BTC', 1, 1)).toBeNull();
    expect(c.update('BTC', 2, 1)?.line).toBe('[PARITY] BTC: paper=2 live=1 positions');
    expect(c.update('BTC', 2, 1)).toBeNull(); // same difference: no new line
    expect(c.update('ETH', 0, 0)).toBeNull();
    expect(c.update('BTC', 2, 0)).toMatchObject({ kind: 'diverged', paper: 2, live: 0 });
    expect(c.update('BTC', 1, 1)).toMatchObject({
      kind: 'cleared',
      line: '[PARITY] BTC: paper=1 live=1 positions (agree again)',
    });
    expect(c.update('BTC', 1, 1)).toBeNull();
  });
});
