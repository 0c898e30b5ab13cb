/**
 * Replay, sim and the paper twin are one thing (issue #11): a live run with its twin and the
 * feed recorded (`trade --mode live --record`, real CLI against the local EVM and exchange); once
 * the playback has ended the trader stops, and a replay of the recording (`replay --input
 * <frames file>`, the same settings) writes exactly the twin's trades: the same `trades.jsonl` bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { useCrashRig } from '../helpers/crash-harness';
import { waitFor } from '../helpers/wait-for';

const fx = useCrashRig('twinreplay', { windows: 2 });

test('a replay of the live run’s recording reproduces the twin’s trades byte for byte', async () => {
  const rec = mkdtempSync(join(tmpdir(), 'twin-rec-'));
  try {
    const sc = await fx.rig.start({ play: false, env: { RECORD_DIR: rec } });
    fx.stack.exchange.play();
    await waitFor(() => !fx.stack.exchange.stats().playing, 150_000, {
      what: 'the playback of the listed windows',
      everyMs: 100,
    });
    await new Promise((r) => setTimeout(r, 2_500)); // the twin's last ticks and flush
    expect(await sc.trader.stop()).toBe(0);
    const twinTrades = readFileSync(join(sc.dir, 'trades.shadow.jsonl'), 'utf8');
    expect(twinTrades.split('\n').filter((l) => l !== '').length).toBeGreaterThan(0);

    const frames = readdirSync(rec).filter((f) => f.startsWith('frames-'));
    expect(frames).toHaveLength(1);
    const out = join(rec, 'replayed.jsonl');
    const main = resolve(__dirname, '..', '..', 'src', 'cli', 'main.ts');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'replay',
        '--input',
        join(rec, frames[0]!),
        '--out',
        out,
        '--no-db',
        '--no-progress',
        '--config',
        join(fx.db.dataDir, 'config.json'),
      ],
      { env: { ...sc.env, RECORD_DIR: '' }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(twinTrades);
  } finally {
    rmSync(rec, { recursive: true, force: true });
  }
}, 240_000);
