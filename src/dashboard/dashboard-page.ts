/**
 * The dashboard page (issue #13): plain HTML and one script, no framework; charts with Chart.js
 * served by the dashboard itself (`/chart.js`). The script opens `/events` (server-sent events) and
 * renders each snapshot (`DashboardSnapshot`): status bar (mode, tick time, kill switch, feed
 * health, live panel), the windows with UP/DOWN best bid/ask and a mid chart, each open position
 * with its held token's bid and its lines (entry, HWM, stop loss, trailing stop, profit floor,
 * effective stop), and recent exits. Each position card carries `data-key`, `data-stop`
 * (effective stop), `data-hwm` and `data-trailing` so tests and users can read the lines.
 */

/** The page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>updown-trader dashboard</title>
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; gap: 18px; flex-wrap: wrap; align-items: center; }
  header b { font-size: 15px; }
  .pill { padding: 1px 8px; border-radius: 10px; background: #3a4256; }
  .pill.bad { background: #b3261e; } .pill.ok { background: #1e7b34; }
  main { padding: 12px 16px; }
  h2 { font-size: 14px; margin: 16px 0 6px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 10px; }
  .card { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 8px 10px; }
  .card h3 { font-size: 13px; margin: 0 0 4px; }
  .chart { position: relative; height: 170px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { padding: 2px 6px; text-align: right; border-bottom: 1px solid #eef0f4; white-space: nowrap; }
  td:first-child, th:first-child { text-align: left; }
  .pos { color: #1e7b34; } .neg { color: #b3261e; }
  .muted { color: #6b7385; }
  #live { display: none; }
</style>
</head>
<body>
<header>
  <b>updown-trader</b>
  <span id="mode" class="pill">…</span>
  <span id="clock" class="muted">waiting for data</span>
  <span id="kill" class="pill">kill switch: –</span>
  <span id="feed" class="pill">feed: –</span>
  <span id="totals" class="pill">–</span>
  <span id="conn" class="pill">connecting</span>
</header>
<main>
  <section id="live" class="card">
    <h3>Live</h3>
    <table><tr><th>orders in flight</th><th>unknown orders</th><th>reconciliation passes</th><th>last reconciliation</th><th>discrepancies</th></tr>
    <tr><td id="l-inflight">–</td><td id="l-unknown">–</td><td id="l-passes">–</td><td id="l-last">–</td><td id="l-disc">–</td></tr></table>
  </section>
  <h2>Open positions <span id="npos" class="muted"></span></h2>
  <div id="positions" class="grid"></div>
  <h2>Windows</h2>
  <div id="windows" class="grid"></div>
  <h2>Recent exits</h2>
  <div class="card"><table id="exits"><thead><tr><th>position</th><th>strategy</th><th>side</th><th>reason</th><th>exit time</th><th>entry</th><th>exit</th><th>P&amp;L (USDC)</th></tr></thead><tbody></tbody></table></div>
</main>
<script src="chart.js"></script>
<script src="app.js"></script>
</body>
</html>
`;

/** The page's script (served as `/app.js`). */
export const DASHBOARD_JS = `'use strict';
(function () {
  var charts = new Map();
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (v, d) { return v === null || v === undefined ? '–' : Number(v).toFixed(d === undefined ? 3 : d); };
  var hms = function (ms) { return ms === null || ms === undefined ? '–' : new Date(ms).toISOString().slice(11, 19); };
  var labelsOf = function (t) { return t.map(function (s) { return new Date(s * 1000).toISOString().slice(11, 19); }); };
  var flat = function (n, v) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = v; return a; };
  var COLORS = { bid: '#1d2330', mid: '#3056d3', entry: '#6b7385', hwm: '#8e44ad', stopLoss: '#b3261e',
    trailing: '#e67e22', floor: '#1e7b34', stop: '#d81b60', up: '#1e7b34', down: '#b3261e' };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** Creates or updates the line chart \`id\` in \`box\`; datasets: [{label, data, color, dash}]; y 0–1 when \`unit\`. */
  function chart(id, box, labels, sets, unit) {
    var c = charts.get(id);
    if (c === undefined) {
      var holder = el('div', { class: 'chart' });
      var canvas = el('canvas', { id: id });
      holder.appendChild(canvas);
      box.appendChild(holder);
      c = new Chart(canvas, {
        type: 'line',
        data: { labels: labels, datasets: sets.map(function (s) {
          return { label: s.label, data: s.data, borderColor: COLORS[s.color], backgroundColor: COLORS[s.color],
            borderWidth: s.width || 1.5, borderDash: s.dash ? [5, 4] : [], pointRadius: 0, spanGaps: true, stepped: s.stepped || false };
        }) },
        options: { animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
          scales: { x: { ticks: { maxTicksLimit: 6 } }, y: unit ? { suggestedMin: 0, suggestedMax: 1 } : {} },
          plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } } },
      });
      charts.set(id, c);
    } else {
      c.data.labels = labels;
      sets.forEach(function (s, i) { c.data.datasets[i].data = s.data; });
      c.update('none');
    }
  }

  function dropMissing(box, keep, prefix) {
    Array.prototype.slice.call(box.children).forEach(function (card) {
      var k = card.getAttribute('data-key');
      if (!keep.has(k)) {
        var c = charts.get(prefix + k);
        if (c) { c.destroy(); charts.delete(prefix + k); }
        card.remove();
      }
    });
  }

  function cardOf(box, key) {
    var card = box.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (card === null) {
      card = el('section', { class: 'card', 'data-key': key });
      card.appendChild(el('h3'));
      card.appendChild(el('table'));
      box.appendChild(card);
    }
    return card;
  }

  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { var td = el('td', c.cls ? { class: c.cls } : {}, c.text); tr.appendChild(td); });
    return tr;
  }

  function renderPositions(s) {
    var box = $('positions');
    var keep = new Set(s.positions.map(function (p) { return p.key; }));
    dropMissing(box, keep, 'p:');
    $('npos').textContent = '(' + s.positions.length + ')';
    s.positions.forEach(function (p) {
      var card = cardOf(box, p.key);
      card.className = 'card position';
      card.setAttribute('data-stop', p.effectiveStop === null ? '' : String(p.effectiveStop));
      card.setAttribute('data-hwm', p.highWaterMark === null ? '' : String(p.highWaterMark));
      card.setAttribute('data-trailing', p.trailingStop === null ? '' : String(p.trailingStop));
      card.querySelector('h3').textContent = p.key + ' · ' + p.side + ' · ' + p.state + (p.orderInFlight ? ' · order in flight' : '');
      var t = card.querySelector('table');
      t.replaceChildren(
        row([{ text: 'shares' }, { text: fmt(p.shares, 2) }, { text: 'bid' }, { text: fmt(p.bid) }]),
        row([{ text: 'entry' }, { text: fmt(p.entry) }, { text: 'HWM' }, { text: fmt(p.highWaterMark) }]),
        row([{ text: 'stop loss' }, { text: fmt(p.stopLoss) }, { text: 'trailing stop' }, { text: fmt(p.trailingStop) }]),
        row([{ text: 'profit floor' }, { text: fmt(p.profitFloor) }, { text: 'effective stop' }, { text: fmt(p.effectiveStop), cls: 'stop' }]),
      );
      var n = p.series.t.length;
      var v = p.series.v;
      chart('p:' + p.key, card, labelsOf(p.series.t), [
        { label: 'bid', data: v.bid || [], color: 'bid', width: 2 },
        { label: 'entry', data: flat(n, p.entry), color: 'entry', dash: true },
        { label: 'HWM', data: v.hwm || [], color: 'hwm', stepped: true },
        { label: 'stop loss', data: flat(n, p.stopLoss), color: 'stopLoss', dash: true },
        { label: 'trailing stop', data: v.trailing || [], color: 'trailing', stepped: true },
        { label: 'profit floor', data: flat(n, p.profitFloor), color: 'floor', dash: true },
        { label: 'stop', data: v.stop || [], color: 'stop', stepped: true, width: 2 },
      ]);
    });
  }

  function renderWindows(s) {
    var box = $('windows');
    var keep = new Set(s.windows.map(function (w) { return w.key; }));
    dropMissing(box, keep, 'w:');
    s.windows.forEach(function (w) {
      var card = cardOf(box, w.key);
      var left = Math.max(0, Math.round((w.endMs - s.nowMs) / 1000));
      card.querySelector('h3').textContent = w.key + ' · ends ' + hms(w.endMs) + ' (' + left + ' s)';
      card.querySelector('table').replaceChildren(
        row([{ text: '' }, { text: 'best bid' }, { text: 'best ask' }, { text: 'mid' }]),
        row([{ text: 'UP' + (w.up.stale ? ' (stale)' : '') }, { text: fmt(w.up.bid) }, { text: fmt(w.up.ask) }, { text: fmt(w.mid) }]),
        row([{ text: 'DOWN' + (w.down.stale ? ' (stale)' : '') }, { text: fmt(w.down.bid) }, { text: fmt(w.down.ask) }, { text: '' }]),
      );
      chart('w:' + w.key, card, labelsOf(w.series.t), [{ label: 'UP mid', data: w.series.v.mid || [], color: 'mid' }], true);
    });
    // newest window first: move the cards only when the order changed
    var order = s.windows.map(function (w) { return w.key; }).join('|');
    var shown = Array.prototype.map.call(box.children, function (c) { return c.getAttribute('data-key'); }).join('|');
    if (order !== shown) s.windows.forEach(function (w) { box.appendChild(cardOf(box, w.key)); });
  }

  function renderExits(s) {
    var body = $('exits').querySelector('tbody');
    body.replaceChildren.apply(body, s.exits.map(function (x) {
      var cls = x.pnlUsdc === null ? '' : x.pnlUsdc >= 0 ? 'pos' : 'neg';
      return row([{ text: x.key }, { text: x.strategy }, { text: x.side }, { text: x.reason }, { text: hms(x.exitTimeMs) },
        { text: fmt(x.entryPrice) }, { text: fmt(x.exitPrice) }, { text: fmt(x.pnlUsdc, 4), cls: cls }]);
    }));
  }

  function render(s) {
    $('mode').textContent = s.mode;
    $('clock').textContent = 'tick time ' + (s.nowMs > 0 ? new Date(s.nowMs).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '–');
    var k = s.killSwitch;
    $('kill').textContent = k === null ? 'kill switch: –' : k.flatten ? 'kill switch: FLATTEN' : k.entriesStopped ? 'kill switch: ENTRIES STOPPED' : 'kill switch: off';
    $('kill').className = 'pill ' + (k !== null && (k.flatten || k.entriesStopped) ? 'bad' : 'ok');
    var f = s.feed;
    $('feed').textContent = f === null ? 'feed: replay' : 'feed: ' + f.frames + ' frames · stale ' + f.staleTokens + ' · reconnects ' + f.reconnects + ' · malformed ' + f.malformed;
    $('feed').className = 'pill ' + (f !== null && f.staleTokens > 0 ? 'bad' : 'ok');
    $('totals').textContent = s.totals.trades + ' exits · P&L ' + fmt(s.totals.pnlUsdc, 4) + ' USDC · ' + s.totals.open + ' open';
    var l = s.live;
    $('live').style.display = l === null ? 'none' : 'block';
    if (l !== null) {
      $('l-inflight').textContent = l.ordersInFlight; $('l-unknown').textContent = l.unknownOrders;
      $('l-passes').textContent = l.reconcilePasses; $('l-last').textContent = hms(l.lastReconcileMs);
      $('l-disc').textContent = l.discrepancies;
    }
    renderPositions(s);
    renderWindows(s);
    renderExits(s);
    document.body.setAttribute('data-version', String(s.version));
  }

  var es = new EventSource('events');
  es.onopen = function () { $('conn').textContent = 'live'; $('conn').className = 'pill ok'; };
  es.onerror = function () { $('conn').textContent = 'disconnected (retrying)'; $('conn').className = 'pill bad'; };
  es.onmessage = function (e) { render(JSON.parse(e.data)); };
})();
`;
