#!/usr/bin/env node
/**
 * The CLI entry point (composition roots live in one file per command). Exit code 1 with one
 * clear line on a known error (config, input); the stack only for unexpected ones.
 */
import { Command } from 'commander';
import { TraderError } from '../core/errors';
import { registerConvert } from './convert';
import { registerMigrate } from './migrate';
import { registerReplay } from './replay';
import { registerCollect } from './collect';
import { registerTrade } from './trade';
import { registerApprove } from './approve';
import { registerParity } from './parity';

const program = new Command();
program.name('updown-trader').description('Polymarket crypto Up-or-Down trader: replay, simulation, live');
registerReplay(program);
registerConvert(program);
registerMigrate(program);
registerCollect(program);
registerTrade(program);
registerApprove(program);
registerParity(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof TraderError) console.error(`${err.name}: ${err.message}`);
  else console.error(err);
  process.exitCode = 1;
});
