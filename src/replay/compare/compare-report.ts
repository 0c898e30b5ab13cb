/**
 * The exit-policy comparison's outputs (issue #12): the terminal table and the self-contained HTML
 * report (Chart.js inlined, no network at view time): figures per set, net P&L / win rate / peak
 * captured / premature stop-outs charts, results by volatility regime, P&L by exit reason, and
 * per-position price paths (the held token's bid, each set's effective stop and exit), filterable
 * by window.
 */
import Table from 'cli-table3';
import { esc, inlineScript, jsonBlock } from '../../report/html';
import type { PositionTrace } from './compare-job';
import type { PositionOutcome, SetMetrics } from './compare-metrics';

/** One set's results as the report needs them. */
export interface SetReport {
  readonly metrics: SetMetrics;
  readonly outcomes: readonly PositionOutcome[];
  readonly traces: readonly PositionTrace[];
}

const fmt = (x: number | null, d = 4): string => (x === null ? '—' : x.toFixed(d));

/** The terminal table: one row per set. */
export function compareText(sets: readonly SetReport[]): string {
  const t = new Table({
    head: [
      'policy',
      'trades',
      'win rate',
      'net P&L',
      'peak captured',
      'premature',
      'lock violations',
      'partials',
    ],
    style: { head: [], border: [] },
  });
  for (const { metrics: m } of sets)
    t.push([
      m.policy,
      m.trades,
      fmt(m.winRate, 3),
      fmt(m.netPnlUsdc),
      fmt(m.peakCaptured, 3),
      m.prematureStopOuts,
      m.profitLockViolations,
      m.partialExits,
    ]);
  return t.toString();
}

/** Per-position chart data: the bid path (seconds since entry → USDC) and each set's stop and exit. */
function pathData(sets: readonly SetReport[]): unknown[] {
  const keys = new Map<string, { window: string; trace: PositionTrace }>();
  for (const s of sets)
    for (const tr of s.traces) if (!keys.has(tr.key)) keys.set(tr.key, { window: tr.windowKey, trace: tr });
  const traceBySet = sets.map((s) => new Map(s.traces.map((x) => [x.key, x])));
  const outcomeBySet = sets.map((s) => new Map(s.outcomes.map((x) => [x.key, x])));
  return [...keys.entries()].map(([key, { window, trace }]) => {
    const t0 = trace.t[0] ?? 0;
    return {
      key,
      window,
      bid: trace.t.flatMap((t, i) => (trace.bid[i]! < 0 ? [] : [[t - t0, trace.bid[i]! / 1e6]])),
      sets: sets.map((_, i) => {
        const tr = traceBySet[i]!.get(key);
        const o = outcomeBySet[i]!.get(key);
        return {
          stop:
            tr === undefined ? [] : tr.stopT.map((ms, i) => [Math.round(ms / 1000) - t0, tr.stop[i]! / 1e6]),
          exit:
            o === undefined || o.exitTimeMs === null
              ? null
              : [Math.round(o.exitTimeMs / 1000) - t0, o.avgExit],
          reason: o?.reason ?? null,
          pnl: o?.pnlUsdc ?? null,
        };
      }),
    };
  });
}

/** The HTML report; `chartJs` is the Chart.js UMD bundle's text (inlined). */
export function compareHtml(
  sets: readonly SetReport[],
  meta: { inputs: string[]; runtimeMs: number },
  chartJs: string,
): string {
  const names = sets.map((s) => s.metrics.policy);
  const regimes = ['low', 'normal', 'high', 'extreme', 'unknown'];
  const reasons = [...new Set(sets.flatMap((s) => Object.keys(s.metrics.byReason)))].sort();
  const data = {
    names,
    metrics: sets.map((s) => s.metrics),
    regimes,
    paths: pathData(sets),
  };
  const rows = sets
    .map(
      ({ metrics: m }) =>
        `<tr><th>${esc(m.policy)}</th><td>${m.trades}</td><td>${fmt(m.winRate, 3)}</td><td>${fmt(m.netPnlUsdc)}</td><td>${fmt(
          m.peakCaptured,
          3,
        )}</td><td>${m.prematureStopOuts}</td><td class="${m.profitLockViolations > 0 ? 'bad' : ''}">${m.profitLockViolations}</td><td>${m.partialExits}</td></tr>`,
    )
    .join('');
  const reasonRows = sets
    .map(
      ({ metrics: m }) =>
        `<tr><th>${esc(m.policy)}</th>${reasons
          .map((r) => {
            const x = m.byReason[r];
            return `<td>${x === undefined ? '' : `${x.count} / ${fmt(x.netPnlUsdc)}`}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const violations = sets.flatMap((s) =>
    s.outcomes.filter((o) => o.lockViolation).map((o) => ({ set: s.metrics.policy, o })),
  );
  const violationHtml =
    violations.length === 0
      ? '<p>none</p>'
      : `<table><tr><th>policy</th><th>position</th><th>entry</th><th>peak bid</th><th>average exit</th><th>reason</th></tr>${violations
          .map(
            ({ set, o }) =>
              `<tr><td>${esc(set)}</td><td>${esc(o.key)}</td><td>${fmt(o.entryPrice, 3)}</td><td>${fmt(o.peak, 3)}</td><td>${fmt(
                o.avgExit,
              )}</td><td>${esc(o.reason)}</td></tr>`,
          )
          .join(
            '',
          )}</table><p>(a bid that gaps through the lock sells below it; the price paths below show each)</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exit policy comparison</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}.bad{color:#b00;font-weight:bold}
canvas{max-height:340px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}select{margin:0 1em .5em 0}</style></head><body>
<h1>Exit policy comparison</h1>
<p>inputs: ${meta.inputs.map(esc).join(', ')} · ${sets.length} policy sets · runtime ${(meta.runtimeMs / 1000).toFixed(1)} s</p>
<table><tr><th>policy</th><th>trades</th><th>win rate</th><th>net P&amp;L (USDC)</th><th>peak captured</th><th>premature stop-outs</th><th>profit-lock violations</th><th>partial exits</th></tr>${rows}</table>
<div class="grid"><div><h2>Net P&amp;L (USDC)</h2><canvas id="pnl"></canvas></div>
<div><h2>Win rate and peak captured</h2><canvas id="rates"></canvas></div>
<div><h2>Premature stop-outs</h2><canvas id="premature"></canvas></div>
<div><h2>Net P&amp;L by volatility regime at entry</h2><canvas id="regime"></canvas></div></div>
<h2>Exit reasons (count / net P&amp;L)</h2>
<table><tr><th>policy</th>${reasons.map((r) => `<th>${esc(r)}</th>`).join('')}</tr>${reasonRows}</table>
<h2>Profit-lock violations</h2>${violationHtml}
<h2>Price paths</h2>
<p>window <select id="window"></select> position <select id="position"></select></p>
<p id="exits"></p>
<canvas id="path"></canvas>
${jsonBlock('data', data)}
${inlineScript(chartJs)}
<script>
const d = JSON.parse(document.getElementById('data').textContent);
const colors = ['#333', '#c33', '#36c', '#393', '#c90', '#939', '#099', '#963', '#666', '#f6c'];
const bar = (id, label, values) => new Chart(document.getElementById(id), { type: 'bar',
  data: { labels: d.names, datasets: [{ label, data: values, backgroundColor: d.names.map((_, i) => colors[i % colors.length]) }] } });
bar('pnl', 'net P&L (USDC)', d.metrics.map((m) => m.netPnlUsdc));
bar('premature', 'premature stop-outs', d.metrics.map((m) => m.prematureStopOuts));
new Chart(document.getElementById('rates'), { type: 'bar', data: { labels: d.names, datasets: [
  { label: 'win rate', data: d.metrics.map((m) => m.winRate), backgroundColor: '#36c' },
  { label: 'peak captured', data: d.metrics.map((m) => m.peakCaptured), backgroundColor: '#c90' } ] } });
new Chart(document.getElementById('regime'), { type: 'bar', data: { labels: d.regimes, datasets: d.metrics.map((m, i) => ({
  label: m.policy, backgroundColor: colors[i % colors.length],
  data: d.regimes.map((r) => (m.byRegime[r] ? m.byRegime[r].netPnlUsdc : 0)) })) } });
const wSel = document.getElementById('window'), pSel = document.getElementById('position');
const windows = [...new Set(d.paths.map((p) => p.window))];
for (const w of windows) wSel.add(new Option(w, w));
let chart = null;
function showWindow() {
  pSel.innerHTML = '';
  for (const p of d.paths.filter((p) => p.window === wSel.value)) pSel.add(new Option(p.key, p.key));
  showPosition();
}
function showPosition() {
  const p = d.paths.find((x) => x.key === pSel.value);
  if (!p) return;
  const xy = (pts) => pts.map(([x, y]) => ({ x, y }));
  const datasets = [{ label: 'bid', data: xy(p.bid), borderColor: '#aaa', pointRadius: 0, borderWidth: 1 }];
  p.sets.forEach((s, i) => {
    const c = colors[i % colors.length];
    if (s.stop.length > 0) {
      const end = s.exit ? s.exit[0] : p.bid.length ? p.bid[p.bid.length - 1][0] : 0;
      datasets.push({ label: d.names[i] + ' stop', data: xy([...s.stop, [end, s.stop[s.stop.length - 1][1]]]),
        borderColor: c, stepped: true, pointRadius: 0, borderDash: [4, 3] });
    }
    if (s.exit) datasets.push({ label: d.names[i] + ' exit (' + s.reason + ')', type: 'scatter', data: xy([s.exit]),
      backgroundColor: c, pointRadius: 6 });
  });
  document.getElementById('exits').textContent = p.sets.map((s, i) => d.names[i] + ': ' + (s.reason ?? 'no position') +
    (s.pnl === null ? '' : ' ' + s.pnl.toFixed(4) + ' USDC')).join(' · ');
  if (chart) chart.destroy();
  chart = new Chart(document.getElementById('path'), { type: 'line', data: { datasets },
    options: { animation: false, parsing: true, scales: { x: { type: 'linear', title: { display: true, text: 'seconds since entry' } },
      y: { title: { display: true, text: 'USDC' } } } } });
}
wSel.onchange = showWindow; pSel.onchange = showPosition;
if (windows.length) { wSel.value = windows[0]; showWindow(); }
</script></body></html>
`;
}
