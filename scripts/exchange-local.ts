/**
 * `tsx scripts/exchange-local.ts`: runs the local Polymarket-protocol exchange (issue #3) on
 * 127.0.0.1, prints its URLs, then a one-line status every few seconds (stderr) until Ctrl-C.
 *
 *   tsx scripts/exchange-local.ts --input ../shared/data/borisz42-btc15m --speed 60 --port 8080 --windows 4
 *
 * Faults: `--drop-every <s>` drops all market sockets every s wall seconds;
 * `--silence <token|up|down>:<ms>` silences a token (`up`/`down` = of the first window) once at start;
 * `--malformed-every <s>` injects one malformed frame every s seconds. More at run time via
 * `POST /_control/fault` (see testkit/exchange-local/control.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_INPUT, DEFAULT_RTDS_INPUT, startLocalExchange } from '../testkit/exchange-local/server';

const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};

const program = new Command()
  .name('exchange-local')
  .description('Local Polymarket CLOB/Gamma/RTDS server replaying recordings on 127.0.0.1')
  .option('--input <path>', 'tick recording (file or directory)', DEFAULT_INPUT)
  .option('--rtds-input <path>', 'Chainlink BTC/USD feed CSV', DEFAULT_RTDS_INPUT)
  .option('--speed <x>', 'recording ms per wall ms', num, 1)
  .option('--port <n>', 'HTTP + WebSocket port', num, 8080)
  .option('--windows <n>', 'serve only the first N windows', num)
  .option('--manual', 'do not play; step via POST /_control/playback', false)
  .option('--swap-outcomes', 'Gamma lists ["Down","Up"]', false)
  .option('--drop-every <s>', 'drop all market sockets every s seconds', num)
  .option('--malformed-every <s>', 'inject a malformed frame every s seconds', num)
  .option('--silence <token:ms>', 'silence a token (id, up or down) for ms at start');

interface CliOptions {
  input: string;
  rtdsInput: string;
  speed: number;
  port: number;
  windows?: number;
  manual: boolean;
  swapOutcomes: boolean;
  dropEvery?: number;
  malformedEvery?: number;
  silence?: string;
}

async function main(): Promise<void> {
  program.parse(process.argv);
  const o = program.opts<CliOptions>();
  const lx = await startLocalExchange({
    input: o.input,
    rtdsInput: o.rtdsInput,
    speed: o.speed,
    manual: o.manual,
    ports: { http: o.port },
    swapOutcomeOrder: o.swapOutcomes,
    ...(o.windows !== undefined ? { windows: o.windows } : {}),
  });
  const markets = lx.markets();
  console.log(`http     ${lx.url}   (REST /book /time, Gamma /events /markets, POST /_control/fault)`);
  console.log(`market   ${lx.marketWsUrl}`);
  console.log(`rtds     ${lx.rtdsUrl}`);
  console.log(
    `markets  ${markets.length}: ${markets[0]?.slug ?? '-'} … ${markets[markets.length - 1]?.slug ?? '-'}`,
  );
  const first = markets[0];
  if (first !== undefined) console.log(`first    up ${first.upTokenId}\n         down ${first.downTokenId}`);

  if (o.silence !== undefined) {
    const [who, ms] = o.silence.split(':');
    const token = who === 'up' ? first?.upTokenId : who === 'down' ? first?.downTokenId : who;
    if (token !== undefined && token !== '') lx.faults.silence(token, ms === undefined ? null : Number(ms));
  }
  const timers: NodeJS.Timeout[] = [];
  if (o.dropEvery !== undefined && o.dropEvery > 0) {
    timers.push(setInterval(() => lx.faults.dropConnections(), o.dropEvery * 1000));
  }
  if (o.malformedEvery !== undefined && o.malformedEvery > 0) {
    timers.push(setInterval(() => lx.faults.malformedFrames(1), o.malformedEvery * 1000));
  }
  timers.push(
    setInterval(() => {
      const s = lx.stats();
      process.stderr.write(
        `${new Date(s.clockMs).toISOString()} rows ${s.rowsApplied}/${s.rowsTotal} ` +
          `${s.playing ? `playing x${s.speed}` : 'paused'} ws ${s.marketWs.open} open ${s.marketWs.framesSent} frames ` +
          `rtds ${s.rtds.updatesSent} faults ${JSON.stringify(s.faults)}\n`,
      );
    }, 5000),
  );
  const stop = (): void => {
    for (const t of timers) clearInterval(t);
    void lx.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
