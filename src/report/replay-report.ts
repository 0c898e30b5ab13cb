/**
 * The HTML replay report (issue #13, `replay --report <file.html>`): one self-contained page (the
 * Chart.js bundle and the data inlined: no network at view time) with the equity curve, P&L by
 * exit reason and by strategy, and for each position the held token's bid path with its entry,
 * HWM, stop-loss, trailing-stop, profit-floor and effective-stop lines and the exit marker;
 * filterable by window. Position charts are drawn when scrolled into view, so a page of hundreds
 * of positions opens fast.
 */
import { writeFileSync } from 'node:fs';
import { windowKey } from '../core/ids';
import type { PositionTrace } from '../replay/position-traces';
import type { TradeLine } from '../trader/position';
import { chartJsBundle, esc, inlineScript, jsonBlock } from './html';

/** What the report shows. */
export interface ReplayReportInput {
  /** The replayed input (shown in the title). */
  readonly input: string;
  /** Closed trade lines (USDC, prices 0–1), in closing order. */
  readonly trades: readonly TradeLine[];
  /** One trace per position (`TraceRecorder.traces`). */
  readonly traces: readonly PositionTrace[];
}

/** A sum of P&L and a count. */
interface Bucket {
  readonly name: string;
  readonly pnlUsdc: number;
  readonly n: number;
}

/** The report's data, computed once (exported for tests). */
export interface ReplayReportData {
  readonly input: string;
  readonly totals: { positions: number; trades: number; pnlUsdc: number; wins: number; feesUsdc: number };
  /** Cumulative realised P&L after each trade line, by exit time. */
  readonly equity: { t: number[]; pnl: number[] };
  readonly byReason: Bucket[];
  readonly byStrategy: Bucket[];
  readonly windows: string[];
  /** One row per position: its trade lines folded (partial exits summed). */
  readonly positions: {
    key: string;
    windowKey: string;
    strategy: string;
    side: string;
    reason: string;
    entryTimeMs: number;
    exitTimeMs: number | null;
    entryPrice: number;
    exitPrice: number | null;
    highWaterMark: number | null;
    pnlUsdc: number;
  }[];
  readonly traces: readonly PositionTrace[];
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function buckets(lines: readonly TradeLine[], key: (l: TradeLine) => string): Bucket[] {
  const m = new Map<string, { pnl: number; n: number }>();
  for (const l of lines) {
    const b = m.get(key(l)) ?? { pnl: 0, n: 0 };
    b.pnl += l.pnlUsdc ?? 0;
    b.n += 1;
    m.set(key(l), b);
  }
  return [...m.entries()]
    .map(([name, b]) => ({ name, pnlUsdc: r6(b.pnl), n: b.n }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Computes the report's data from a replay's trade lines and traces. */
export function replayReportData(input: ReplayReportInput): ReplayReportData {
  const lines = input.trades;
  const byExit = [...lines].sort((a, b) => (a.exitTimeMs ?? 0) - (b.exitTimeMs ?? 0));
  const equity = { t: [] as number[], pnl: [] as number[] };
  let cum = 0;
  for (const l of byExit) {
    cum += l.pnlUsdc ?? 0;
    equity.t.push(l.exitTimeMs ?? l.entryTimeMs);
    equity.pnl.push(r6(cum));
  }
  const folded = new Map<string, ReplayReportData['positions'][number]>();
  for (const l of lines) {
    const prev = folded.get(l.positionKey);
    folded.set(l.positionKey, {
      key: l.positionKey,
      windowKey: windowKey(l),
      strategy: l.strategy,
      side: l.side,
      reason: l.exitReason ?? 'manual',
      entryTimeMs: l.entryTimeMs,
      exitTimeMs: l.exitTimeMs,
      entryPrice: l.entryPrice,
      exitPrice: l.exitPrice,
      highWaterMark: l.highWaterMark,
      pnlUsdc: r6((prev?.pnlUsdc ?? 0) + (l.pnlUsdc ?? 0)),
    });
  }
  const positions = [...folded.values()].sort((a, b) => a.entryTimeMs - b.entryTimeMs);
  let fees = 0;
  for (const l of lines) fees += l.entryFeeUsdc + (l.exitFeeUsdc ?? 0);
  return {
    input: input.input,
    totals: {
      positions: positions.length,
      trades: lines.length,
      pnlUsdc: r6(cum),
      wins: positions.filter((p) => p.pnlUsdc > 0).length,
      feesUsdc: r6(fees),
    },
    equity,
    byReason: buckets(lines, (l) => l.exitReason ?? 'manual'),
    byStrategy: buckets(lines, (l) => l.strategy),
    windows: [...new Set(positions.map((p) => p.windowKey))],
    positions,
    traces: input.traces,
  };
}

/** Returns the report's HTML. */
export function replayReportHtml(input: ReplayReportInput): string {
  const data = replayReportData(input);
  const t = data.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Replay report — ${esc(data.input)}</title>
<style>
 body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #1d2330; background: #f6f7f9; }
 h1 { font-size: 17px; } h2 { font-size: 14px; margin: 18px 0 6px; }
 .row { display: grid; grid-template-columns: 2fr 1fr 1fr; gap: 12px; }
 .card { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 8px 10px; }
 .chart { position: relative; height: 220px; } .pchart { position: relative; height: 200px; }
 .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 10px; }
 table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: right; border-bottom: 1px solid #eef0f4; }
 td:first-child, th:first-child { text-align: left; } .pos { color: #1e7b34; } .neg { color: #b3261e; }
 .muted { color: #6b7385; }
</style></head><body>
<h1>Replay report — ${esc(data.input)}</h1>
<p>${t.positions} positions, ${t.trades} trade lines · P&amp;L <b class="${t.pnlUsdc >= 0 ? 'pos' : 'neg'}">${t.pnlUsdc.toFixed(4)} USDC</b> ·
 ${t.wins} winning positions (${t.positions === 0 ? 0 : Math.round((t.wins / t.positions) * 100)} %) · fees ${t.feesUsdc.toFixed(4)} USDC</p>
<div class="row">
 <div class="card"><h2>Equity curve (cumulative realised P&amp;L, USDC)</h2><div class="chart"><canvas id="equity"></canvas></div></div>
 <div class="card"><h2>P&amp;L by exit reason</h2><div class="chart"><canvas id="reasons"></canvas></div></div>
 <div class="card"><h2>P&amp;L by strategy</h2><div class="chart"><canvas id="strategies"></canvas></div></div>
</div>
<h2>Positions <label class="muted">window <select id="window"><option value="">all windows</option></select></label> <span id="shown" class="muted"></span></h2>
<div id="positions" class="grid"></div>
${jsonBlock('report-data', data)}
${inlineScript(chartJsBundle())}
${inlineScript(REPORT_JS)}
</body></html>
`;
}

/**
 * Writes the report to `path`.
 * @throws the file system's error when the file cannot be written.
 */
export function writeReplayReport(path: string, input: ReplayReportInput): void {
  writeFileSync(path, replayReportHtml(input));
}

/** The report's script: summary charts, the window filter, the position charts drawn lazily. */
const REPORT_JS = `'use strict';
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var hms = function (ms) { return new Date(ms).toISOString().replace('T', ' ').slice(5, 19); };
  var fmt = function (v) { return v === null || v === undefined ? '–' : Number(v).toFixed(3); };
  var color = function (v) { return v >= 0 ? '#1e7b34' : '#b3261e'; };
  var base = { animation: false, responsive: true, maintainAspectRatio: false };
  new Chart(document.getElementById('equity'), { type: 'line', data: { labels: d.equity.t.map(hms),
    datasets: [{ label: 'P&L', data: d.equity.pnl, borderColor: '#3056d3', pointRadius: 0, borderWidth: 1.5 }] }, options: base });
  [['reasons', d.byReason], ['strategies', d.byStrategy]].forEach(function (x) {
    new Chart(document.getElementById(x[0]), { type: 'bar', data: { labels: x[1].map(function (b) { return b.name + ' (' + b.n + ')'; }),
      datasets: [{ label: 'P&L (USDC)', data: x[1].map(function (b) { return b.pnlUsdc; }),
        backgroundColor: x[1].map(function (b) { return color(b.pnlUsdc); }) }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } } });
  });
  var traces = new Map(d.traces.map(function (t) { return [t.key, t]; }));
  var sel = document.getElementById('window');
  d.windows.forEach(function (w) { var o = document.createElement('option'); o.value = w; o.textContent = w; sel.appendChild(o); });
  var box = document.getElementById('positions');
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting || e.target.getAttribute('data-drawn') === '1') return;
      e.target.setAttribute('data-drawn', '1');
      draw(e.target, traces.get(e.target.getAttribute('data-key')));
    });
  }, { rootMargin: '300px' });
  function flat(n, v) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = v; return a; }
  function draw(card, t) {
    if (t === undefined || t.t.length === 0) return;
    var canvas = card.querySelector('canvas');
    var n = t.t.length;
    var exitAt = t.exitTimeMs === null ? -1 : t.t.findIndex(function (s) { return s * 1000 + 999 >= t.exitTimeMs; });
    var marker = flat(n, null);
    if (exitAt >= 0) marker[exitAt] = t.exitPrice;
    var ds = function (label, data, c, extra) {
      var o = { label: label, data: data, borderColor: c, backgroundColor: c, pointRadius: 0, borderWidth: 1.5, spanGaps: false };
      for (var k in extra) o[k] = extra[k];
      return o;
    };
    new Chart(canvas, { type: 'line', data: { labels: t.t.map(function (s) { return hms(s * 1000).slice(6); }), datasets: [
      ds('bid', t.bid, '#1d2330', { borderWidth: 2 }),
      ds('entry', flat(n, t.entry), '#6b7385', { borderDash: [5, 4] }),
      ds('HWM', t.hwm, '#8e44ad', { stepped: true }),
      ds('stop loss', flat(n, t.stopLoss), '#b3261e', { borderDash: [5, 4] }),
      ds('trailing stop', t.trailing, '#e67e22', { stepped: true }),
      ds('profit floor', flat(n, t.profitFloor), '#1e7b34', { borderDash: [5, 4] }),
      ds('stop', t.stop, '#d81b60', { stepped: true, borderWidth: 2 }),
      ds('exit', marker, '#000', { showLine: false, pointRadius: 6, pointStyle: 'crossRot', borderWidth: 2 }),
    ] }, options: { animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } } } });
  }
  d.positions.forEach(function (p) {
    var card = document.createElement('section');
    card.className = 'card position';
    card.setAttribute('data-key', p.key);
    card.setAttribute('data-window', p.windowKey);
    var h = document.createElement('div');
    h.innerHTML = '<b></b> <span class="muted"></span><br><span></span>';
    h.children[0].textContent = p.key;
    h.children[1].textContent = p.side + ' · ' + p.reason;
    h.children[3].textContent = 'entry ' + fmt(p.entryPrice) + ' at ' + hms(p.entryTimeMs) + ' · exit ' + fmt(p.exitPrice) +
      (p.exitTimeMs === null ? '' : ' at ' + hms(p.exitTimeMs)) + ' · HWM ' + fmt(p.highWaterMark) + ' · P&L ' + p.pnlUsdc.toFixed(4) + ' USDC';
    h.children[3].className = p.pnlUsdc >= 0 ? 'pos' : 'neg';
    card.appendChild(h);
    var holder = document.createElement('div');
    holder.className = 'pchart';
    holder.appendChild(document.createElement('canvas'));
    card.appendChild(holder);
    box.appendChild(card);
    observer.observe(card);
  });
  function filter() {
    var w = sel.value, shown = 0;
    Array.prototype.forEach.call(box.children, function (c) {
      var on = w === '' || c.getAttribute('data-window') === w;
      c.style.display = on ? '' : 'none';
      if (on) shown += 1;
    });
    document.getElementById('shown').textContent = shown + ' shown';
  }
  sel.addEventListener('change', filter);
  filter();
})();
`;
