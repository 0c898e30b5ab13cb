/**
 * Helpers of the self-contained HTML reports (parity, issue #11; policy comparison, issue #12):
 * the Chart.js bundle to inline (no network at view time), HTML escaping, embedded JSON data.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Chart.js UMD bundle's text (from the `chart.js` package), to inline into a report. */
export function chartJsBundle(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

/** Escapes text for HTML element content and attribute values. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A `<script>` block inlining `js` (a `</script` inside it is escaped). */
export const inlineScript = (js: string): string =>
  `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`;

/** A `<script type="application/json">` block holding `data` (read back with JSON.parse). */
export const jsonBlock = (id: string, data: unknown): string =>
  `<script type="application/json" id="${id}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;
