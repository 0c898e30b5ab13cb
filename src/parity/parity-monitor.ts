/**
 * The parity monitor of a live run and its paper twin (issue #11): from both runs' stored
 * positions (each side flushes its journal every second) it writes the `parity` rows that are
 * final — a pair once both sides are CLOSED; a position of one side only once it is CLOSED, its
 * window has ended and the other side never opened it — and logs the `[PARITY]` lines: the open
 * count per crypto when it starts to differ and when it clears, one line per final row that
 * disagrees, one summary line per window once all its rows are final. All lines are pino warn/info
 * objects carrying the row's fields. A position counts as opened once its entry filled
 * (`entryTimeMs` set); a failed entry explains the other side's lone position (`entry_killed`,
 * `entry_rejected`).
 */
import type { Repository } from '../persistence/repository';
import type { Logger } from '../platform/logger';
import type { OrderRecord, PositionRecord } from '../trader/journal-records';
import { OpenCountParity } from './open-count';
import { pairPositions, type OnlyReason, type ParityPair, type ParitySide } from './pairing';
import { disagrees, parityRecordOf } from './parity-record';
import { paritySummary, type ParitySummary, type ParityThresholds } from './verdict';

/** What the monitor reads and where it writes. */
export interface ParityMonitorOptions {
  readonly repo: Repository;
  readonly liveRunId: number;
  readonly shadowRunId: number;
  readonly log: Logger;
  readonly thresholds: ParityThresholds;
  /** The twin's simulated latency, ms: its entry fill time minus this is the deciding tick's time. */
  readonly simLatencyMs: number;
}

const windowOf = (r: { crypto: string; windowSec: number; windowEpoch: number }): string =>
  `${r.crypto} ${r.windowSec} ${r.windowEpoch}`;
const opened = (p: PositionRecord): boolean => p.entryTimeMs !== null;
const usdc = (micros: number | null): number | null => (micros === null ? null : micros / 1e6);

/** Why each failed entry of a run failed, by position key (from its entry orders). */
function failedEntries(
  positions: readonly PositionRecord[],
  orders: readonly OrderRecord[],
): Map<string, OnlyReason> {
  const failed = new Set(
    positions.filter((p) => !opened(p) && p.state === 'CLOSED').map((p) => p.positionKey),
  );
  const out = new Map<string, OnlyReason>();
  for (const o of orders)
    if (o.purpose === 'entry' && failed.has(o.positionKey))
      out.set(o.positionKey, o.status === 'killed' ? 'entry_killed' : 'entry_rejected');
  return out;
}

/** Writes final parity rows and logs `[PARITY]` lines for one live run and its twin. */
export class ParityMonitor {
  /** Keys whose final row is stored (loaded from the table at the first check). */
  private written: Set<string> | null = null;
  private readonly summarised = new Set<string>();
  private readonly counts = new OpenCountParity();
  private last: ParitySummary | null = null;

  constructor(private readonly o: ParityMonitorOptions) {}

  /** Totals and verdict of the rows written so far (`null` before the first check). */
  get summary(): ParitySummary | null {
    return this.last;
  }

  /**
   * Reads both runs and writes the rows that became final at `nowMs` (ms, the venue's time).
   * Rows written before (this process or an earlier one) are not logged again.
   * @throws whatever the repository throws.
   */
  async check(nowMs: number): Promise<void> {
    const { repo, liveRunId, shadowRunId } = this.o;
    const written = (this.written ??= new Set((await repo.loadParity(liveRunId)).map((r) => r.positionKey)));
    const [live, paper, liveOrders, paperOrders] = await Promise.all([
      repo.loadPositions(liveRunId),
      repo.loadPositions(shadowRunId),
      repo.loadOrders(liveRunId),
      repo.loadOrders(shadowRunId),
    ]);
    this.logCounts(live, paper);
    const reasons = new Map([...failedEntries(paper, paperOrders), ...failedEntries(live, liveOrders)]);
    const paperOpened = paper.filter(opened);
    // the twin decides and fills in the same tick (plus its simulated latency): its entry time is
    // the deciding tick's, from which the live fill's latency is measured
    const paperByKey = new Map(paperOpened.map((p) => [p.positionKey, p]));
    const liveSides = live.filter(opened).map((p): ParitySide => {
      const twinEntry = paperByKey.get(p.positionKey)?.entryTimeMs ?? null;
      return twinEntry === null
        ? { position: p }
        : { position: p, decidedMs: twinEntry - this.o.simLatencyMs };
    });
    const rows = pairPositions(
      liveSides,
      paperOpened.map((p) => ({ position: p })),
      reasons,
    );
    const final = rows.filter((r) => this.isFinal(r, nowMs));
    const fresh = final.filter((r) => !written.has(r.key));
    if (fresh.length > 0) {
      await repo.upsertParity(liveRunId, shadowRunId, fresh.map(parityRecordOf));
      for (const r of fresh) {
        written.add(r.key);
        this.logDisagreement(r);
      }
    }
    this.logWindows(rows, nowMs);
    this.last = paritySummary(final.map(parityRecordOf), this.o.thresholds);
  }

  private isFinal(r: ParityPair, nowMs: number): boolean {
    if (r.kind === 'pair') return r.live!.state === 'CLOSED' && r.paper!.state === 'CLOSED';
    const side = r.live ?? r.paper!;
    return side.state === 'CLOSED' && nowMs >= (r.windowEpoch + r.windowSec) * 1000;
  }

  private logCounts(live: readonly PositionRecord[], paper: readonly PositionRecord[]): void {
    const cryptos = new Set([...live, ...paper].map((p) => p.crypto));
    const openOf = (xs: readonly PositionRecord[], c: string): number =>
      xs.filter((p) => p.crypto === c && opened(p) && p.state !== 'CLOSED').length;
    for (const c of cryptos) {
      const ch = this.counts.update(c, openOf(paper, c), openOf(live, c));
      if (ch !== null)
        this.o.log.warn(
          { parity: 'open_count', crypto: c, paper: ch.paper, live: ch.live, kind: ch.kind },
          ch.line,
        );
    }
  }

  /** One line for a final row that disagrees (`disagrees`): which fields, by how much. */
  private logDisagreement(r: ParityPair): void {
    const rec = parityRecordOf(r);
    if (!disagrees(rec)) return;
    const parts: string[] = [];
    if (r.kind !== 'pair') parts.push(`${r.kind} (${r.reason ?? 'unknown'})`);
    if (rec.reasonAgrees === false)
      parts.push(`exit reason live=${rec.liveExitReason ?? '—'} paper=${rec.paperExitReason ?? '—'}`);
    if (Math.abs(rec.entrySlippageTicks ?? 0) >= 1)
      parts.push(`entry slippage ${rec.entrySlippageTicks} ticks`);
    if (Math.abs(rec.exitSlippageTicks ?? 0) >= 1) parts.push(`exit slippage ${rec.exitSlippageTicks} ticks`);
    if (r.kind === 'pair' && rec.pnlDiffUsdc !== null) parts.push(`pnl ${usdc(rec.pnlDiffUsdc)} USDC`);
    this.o.log.warn({ parity: 'pair', ...rec }, `[PARITY] ${r.key}: ${parts.join('; ')}`);
  }

  private logWindows(rows: readonly ParityPair[], nowMs: number): void {
    const byWindow = new Map<string, ParityPair[]>();
    for (const r of rows) byWindow.set(windowOf(r), [...(byWindow.get(windowOf(r)) ?? []), r]);
    for (const [w, rs] of byWindow) {
      if (this.summarised.has(w) || !rs.every((r) => this.isFinal(r, nowMs))) continue;
      const first = rs[0]!;
      if (nowMs < (first.windowEpoch + first.windowSec) * 1000) continue;
      this.summarised.add(w);
      const pairs = rs.filter((r) => r.kind === 'pair');
      const agree = pairs.filter((r) => r.deltas.reasonAgrees === true).length;
      const pnlLive = rs.reduce((a, r) => a + (r.live?.pnlUsdc ?? 0), 0);
      const pnlPaper = rs.reduce((a, r) => a + (r.paper?.pnlUsdc ?? 0), 0);
      const line = `[PARITY] window ${w}: pairs ${pairs.length}, exit reasons agree ${agree}, pnl live ${usdc(pnlLive)} paper ${usdc(pnlPaper)} USDC`;
      this.o.log.info(
        {
          parity: 'window',
          crypto: first.crypto,
          windowSec: first.windowSec,
          windowEpoch: first.windowEpoch,
        },
        line,
      );
    }
  }
}
