/**
 * The parity report (issue #11) from a live run's stored parity rows: a text table for the
 * terminal (pairs, agreements by field, P&L live vs paper, slippage distribution, mismatches by
 * kind, the verdict) and a self-contained HTML page (no network at view time: Chart.js is inlined
 * by the caller) with P&L per window live vs paper, cumulative P&L of both, the slippage
 * histogram, the exit-reason confusion matrix and the list of disagreeing rows. Pure: strings in,
 * strings out. Money in the rows is micro-USDC; shown in USDC.
 */
import { disagrees, type ParityRecord } from './parity-record';
import type { ParitySummary } from './verdict';
import { esc, inlineScript, jsonBlock } from '../report/html';

/** What the report is about. */
export interface ParityReportMeta {
  readonly liveRunId: number;
  readonly shadowRunId: number;
}

const usdc = (m: number | null): string => (m === null ? '—' : (m / 1e6).toFixed(4));
const windowLabel = (r: ParityRecord): string =>
  `${r.crypto} ${r.windowSec / 60}m ${new Date(r.windowEpoch * 1000).toISOString().slice(0, 16)}Z`;

/** Slippage in ticks, bucketed to whole ticks (entry and exit together): tick → count. */
export function slippageHistogram(rows: readonly ParityRecord[]): Map<number, number> {
  const h = new Map<number, number>();
  for (const r of rows)
    for (const t of [r.entrySlippageTicks, r.exitSlippageTicks])
      if (t !== null) h.set(Math.round(t), (h.get(Math.round(t)) ?? 0) + 1);
  return new Map([...h].sort((a, b) => a[0] - b[0]));
}

/** Exit reasons of the pairs: `live reason → paper reason → count`. */
export function reasonMatrix(rows: readonly ParityRecord[]): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.kind !== 'pair') continue;
    const l = r.liveExitReason ?? 'open';
    const p = r.paperExitReason ?? 'open';
    const row = m.get(l) ?? new Map<string, number>();
    row.set(p, (row.get(p) ?? 0) + 1);
    m.set(l, row);
  }
  return m;
}

/** P&L per window of both sides, in window order: label, live, paper (micro-USDC). */
export function pnlByWindow(rows: readonly ParityRecord[]): { label: string; live: number; paper: number }[] {
  const by = new Map<string, { label: string; epoch: number; live: number; paper: number }>();
  for (const r of rows) {
    const k = windowLabel(r);
    const w = by.get(k) ?? { label: k, epoch: r.windowEpoch, live: 0, paper: 0 };
    w.live += r.livePnlUsdc ?? 0;
    w.paper += r.paperPnlUsdc ?? 0;
    by.set(k, w);
  }
  return [...by.values()]
    .sort((a, b) => a.epoch - b.epoch)
    .map(({ label, live, paper }) => ({ label, live, paper }));
}

/** One-sided rows counted by kind and reason, e.g. `only_paper/entry_killed 2, only_live/unknown 1`. */
function mismatchKinds(rows: readonly ParityRecord[]): string {
  const n = new Map<string, number>();
  for (const r of rows) {
    if (r.kind === 'pair') continue;
    const k = `${r.kind}/${r.reason ?? 'unknown'}`;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].map(([k, c]) => `${k} ${c}`).join(', ');
}

/** The terminal report: one block of `key: value` lines and small tables. */
export function parityText(rows: readonly ParityRecord[], s: ParitySummary, meta: ParityReportMeta): string {
  const pairs = rows.filter((r) => r.kind === 'pair');
  const agreeOn = (f: (r: ParityRecord) => boolean): string =>
    pairs.length === 0 ? '—' : `${pairs.filter(f).length}/${pairs.length}`;
  const lines = [
    `parity of live run ${meta.liveRunId} and its paper twin (run ${meta.shadowRunId})`,
    `pairs ${s.pairs} | only live ${s.onlyLive} | only paper ${s.onlyPaper}`,
    `P&L live ${usdc(s.pnlLive)} USDC | paper ${usdc(s.pnlPaper)} USDC | difference ${usdc(s.pnlLive - s.pnlPaper)} USDC`,
    `agree: exit reason ${agreeOn((r) => r.reasonAgrees === true)} | entry price ${agreeOn((r) => Math.abs(r.entrySlippageTicks ?? 0) < 1)} | exit price ${agreeOn((r) => Math.abs(r.exitSlippageTicks ?? 0) < 1)}`,
    `slippage (ticks: count) ${[...slippageHistogram(rows)].map(([t, n]) => `${t}: ${n}`).join(', ') || '—'}`,
    `mismatches by kind: ${mismatchKinds(rows) || 'none'}`,
    `verdict: ${s.verdict}${s.failures.length === 0 ? '' : ` — ${s.failures.join('; ')}`}`,
  ];
  return lines.join('\n');
}

/**
 * The HTML report: `chartJs` is the Chart.js UMD bundle's text, inlined (the page needs no
 * network). Data is embedded as JSON in a `<script type="application/json">` block.
 */
export function parityHtml(
  rows: readonly ParityRecord[],
  s: ParitySummary,
  meta: ParityReportMeta,
  chartJs: string,
): string {
  const windows = pnlByWindow(rows);
  let cl = 0;
  let cp = 0;
  const cumulative = windows.map((w) => ({
    label: w.label,
    live: (cl += w.live) / 1e6,
    paper: (cp += w.paper) / 1e6,
  }));
  const hist = [...slippageHistogram(rows)];
  const matrix = reasonMatrix(rows);
  const reasons = [
    ...new Set([...matrix.keys(), ...[...matrix.values()].flatMap((m) => [...m.keys()])]),
  ].sort();
  const data = {
    windows: windows.map((w) => ({ label: w.label, live: w.live / 1e6, paper: w.paper / 1e6 })),
    cumulative,
    hist: { ticks: hist.map(([t]) => String(t)), counts: hist.map(([, n]) => n) },
  };
  const matrixHtml =
    reasons.length === 0
      ? '<p>no pairs</p>'
      : `<table><tr><th>live ↓ / paper →</th>${reasons.map((r) => `<th>${esc(r)}</th>`).join('')}</tr>${reasons
          .map(
            (l) =>
              `<tr><th>${esc(l)}</th>${reasons.map((p) => `<td>${matrix.get(l)?.get(p) ?? ''}</td>`).join('')}</tr>`,
          )
          .join('')}</table>`;
  const bad = rows.filter(disagrees);
  const badHtml =
    bad.length === 0
      ? '<p>none</p>'
      : `<table><tr><th>position</th><th>kind</th><th>reason</th><th>exit live / paper</th><th>entry slip (ticks)</th><th>exit slip (ticks)</th><th>P&amp;L live / paper (USDC)</th></tr>${bad
          .map(
            (r) =>
              `<tr><td>${esc(r.positionKey)}</td><td>${r.kind}</td><td>${esc(r.reason ?? '')}</td><td>${esc(
                `${r.liveExitReason ?? '—'} / ${r.paperExitReason ?? '—'}`,
              )}</td><td>${r.entrySlippageTicks ?? '—'}</td><td>${r.exitSlippageTicks ?? '—'}</td><td>${usdc(
                r.livePnlUsdc,
              )} / ${usdc(r.paperPnlUsdc)}</td></tr>`,
          )
          .join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parity: live run ${meta.liveRunId}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}.pass{color:#070}.fail{color:#b00}
canvas{max-height:320px}</style></head><body>
<h1>Paper parity — live run ${meta.liveRunId}, twin run ${meta.shadowRunId}</h1>
<p class="${s.verdict}"><b>verdict: ${s.verdict}</b>${s.failures.map((f) => `<br>${esc(f)}`).join('')}</p>
<p>pairs ${s.pairs} · only live ${s.onlyLive} · only paper ${s.onlyPaper} · P&amp;L live ${usdc(s.pnlLive)} USDC ·
paper ${usdc(s.pnlPaper)} USDC · exit reasons agree ${s.exitsAgreeing}/${s.exitsCompared}</p>
<h2>P&amp;L per window</h2><canvas id="perWindow"></canvas>
<h2>Cumulative P&amp;L</h2><canvas id="cumulative"></canvas>
<h2>Slippage (ticks, entry and exit)</h2><canvas id="slippage"></canvas>
<h2>Exit reasons (pairs)</h2>${matrixHtml}
<h2>Disagreeing rows</h2>${badHtml}
${jsonBlock('data', data)}
${inlineScript(chartJs)}
<script>
const d = JSON.parse(document.getElementById('data').textContent);
const line = (id, rows) => new Chart(document.getElementById(id), { type: id === 'perWindow' ? 'bar' : 'line',
  data: { labels: rows.map((r) => r.label), datasets: [
    { label: 'live (USDC)', data: rows.map((r) => r.live), backgroundColor: '#c33', borderColor: '#c33' },
    { label: 'paper (USDC)', data: rows.map((r) => r.paper), backgroundColor: '#36c', borderColor: '#36c' } ] } });
line('perWindow', d.windows);
line('cumulative', d.cumulative);
new Chart(document.getElementById('slippage'), { type: 'bar',
  data: { labels: d.hist.ticks, datasets: [{ label: 'count', data: d.hist.counts, backgroundColor: '#888' }] } });
</script></body></html>
`;
}
