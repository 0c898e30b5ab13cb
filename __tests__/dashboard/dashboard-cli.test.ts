/**
 * `--dashboard` on the real CLI (issue #13): a dashboard port in use stops `collect` at start with
 * one line naming the port, before the feed is touched (the endpoints open before anything runs).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

test('a dashboard port in use stops collect at start with the port named', async () => {
  const busy: Server = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as { port: number }).port;
  try {
    const res = await new Promise<{ code: number | null; out: string }>((done) => {
      execFile(
        join(ROOT, 'node_modules/.bin/tsx'),
        ['src/cli/main.ts', 'collect', '--no-db', '--dashboard', '--duration', '30'],
        {
          cwd: ROOT,
          env: {
            PATH: process.env['PATH'] ?? '',
            DASHBOARD_PORT: String(port),
            // info: the "collector starting" line would show if the command got that far
            LOG_LEVEL: 'info',
            // nothing answers here: the command must stop before it tries
            GAMMA_URL: 'http://127.0.0.1:9',
            CLOB_URL: 'http://127.0.0.1:9',
            MARKET_WS_URL: 'ws://127.0.0.1:9',
            RTDS_URL: '',
          },
        },
        (err, stdout, stderr) =>
          done({ code: err === null ? 0 : (err.code as number), out: stdout + stderr }),
      );
    });
    expect(res.code).not.toBe(0);
    expect(res.out).toContain(`DASHBOARD_PORT ${port}`);
    expect(res.out).toMatch(/EADDRINUSE/);
    expect(res.out).not.toContain('collector starting');
  } finally {
    busy.close();
  }
}, 60_000);
