/**
 * `parity [--run <id>] [--out <dir>]` (issue #11): parses flags and runs the parity report
 * (`runtime/parity-run.ts`); exit code 0 pass, 1 fail, 2 nothing to report.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/schema';
import { runParity } from '../runtime/parity-run';

/** Registers `parity`. */
export function registerParity(program: Command): void {
  program
    .command('parity')
    .description(
      'paper parity report of a live run and its twin: table, HTML report, verdict (exit 1 on fail)',
    )
    .option('--run <id>', 'live run id (default: the latest live run)')
    .option('--out <dir>', 'directory of the HTML report', 'out')
    .action(async (o: { run?: string; out: string }) => {
      const cfg = loadConfig({ env: process.env });
      const runId = o.run === undefined ? undefined : Number(o.run);
      if (runId !== undefined && !(Number.isSafeInteger(runId) && runId > 0)) {
        console.error(`refused: --run must be a run id (a positive integer), got ${o.run}`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runParity(cfg, { outDir: o.out, ...(runId === undefined ? {} : { runId }) });
    });
}
