/**
 * `approve` (`npm run approve`, issue #8 point 4): sets the approvals an EOA funder
 * (`SIGNATURE_TYPE=0`) needs before `trade --mode live` starts: collateral `approve(spender, MAX)`
 * and CTF `setApprovalForAll(spender, true)` for each V2 spender that lacks them
 * (polymarket-protocol.md §7.3, §10). One line per transaction (hash, spender) and a final line;
 * `--dry-run` lists what would be sent. Proxy, Safe and deposit wallets are refused with one line:
 * their approvals are made by the wallet. Never prints the key.
 */
import type { Command } from 'commander';
import { JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { describeStep, planApprovals, sendApprovals } from '../chain/approve';
import { ChainReader } from '../chain/balances';
import { redactRpcUrl } from '../chain/errors';
import { approvalRemedy, tradingAddresses } from '../chain/readiness';
import { loadConfig } from '../config/schema';
import { TraderError } from '../core/errors';

/** Options of the approve command. */
export interface ApproveCommandOptions {
  readonly dryRun?: boolean;
  readonly config?: string;
}

/** Where the command writes: result lines and refusal lines (console by default). */
export interface ApproveOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Registers `approve`. */
export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('EOA only: approve the V2 exchange spenders for the collateral and the outcome tokens')
    .option('--dry-run', 'list the transactions without sending them')
    .option('-c, --config <json>', 'JSON config file (settings)')
    .action(async (o: ApproveCommandOptions) => {
      process.exitCode = await runApprove(o);
    });
}

/**
 * Runs `approve`; returns the exit code: 0 when every spender is approved (or, with `dryRun`,
 * after listing), 1 with one `refused:` line for another signature type, a missing setting, no
 * gas, or a failed transaction (the lines already printed say what was sent).
 * @throws {ConfigError} on an invalid setting (the CLI prints its one line).
 */
export async function runApprove(
  o: ApproveCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: ApproveOutput = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  const cfg = loadConfig({ env, configPath: o.config });
  if (cfg.SIGNATURE_TYPE !== 0) {
    io.err(
      `refused: SIGNATURE_TYPE ${cfg.SIGNATURE_TYPE}: approvals of a proxy/Safe/deposit wallet are made by the wallet: ${approvalRemedy(cfg.SIGNATURE_TYPE)}`,
    );
    return 1;
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(cfg.PRIVATE_KEY)) {
    io.err(
      'refused: approve sends transactions from the key: set PRIVATE_KEY (0x followed by 64 hex digits)',
    );
    return 1;
  }
  if (cfg.RPC_URL === '') {
    io.err('refused: approve sends transactions on chain: set RPC_URL (a Polygon JSON-RPC URL)');
    return 1;
  }
  const addresses = tradingAddresses(cfg);
  // no request cache: consecutive transactions must read a fresh pending nonce (toolchain-notes §3)
  const provider = new JsonRpcProvider(cfg.RPC_URL, cfg.CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const wallet = new Wallet(cfg.PRIVATE_KEY, provider);
    const owner = wallet.address;
    if (cfg.FUNDER_ADDRESS !== '' && getAddress(cfg.FUNDER_ADDRESS) !== owner) {
      io.err(
        `refused: FUNDER_ADDRESS ${cfg.FUNDER_ADDRESS} is not the key's address ${owner}: with SIGNATURE_TYPE 0 the key's address holds the funds; clear FUNDER_ADDRESS or set SIGNATURE_TYPE`,
      );
      return 1;
    }
    const reader = new ChainReader({
      runner: provider,
      rpcUrl: cfg.RPC_URL,
      conditionalTokens: addresses.ctf,
      collateral: addresses.collateral,
    });
    const steps = await planApprovals({
      reader,
      ctf: addresses.ctf,
      collateral: addresses.collateral,
      owner,
      spenders: addresses.spenders,
      minAllowanceMicros: BigInt(Math.round(cfg.POSITION_SIZE_USDC * 1_000_000)),
    });
    if (steps.length === 0) {
      io.out(`approve: ${owner}: all ${addresses.spenders.length} spenders already approved; nothing sent`);
      return 0;
    }
    if (o.dryRun === true) {
      for (const s of steps) io.out(`would send: ${describeStep(s)} from ${owner}`);
      io.out(`approve: dry run: ${steps.length} transactions would be sent; nothing sent`);
      return 0;
    }
    if ((await reader.nativeBalance(owner)) === 0n) {
      io.err(`refused: ${owner} holds no POL for gas: send POL to it, then run approve again`);
      return 1;
    }
    const sent = await sendApprovals({
      wallet,
      steps,
      rpcUrl: cfg.RPC_URL,
      onSent: (s) => io.out(`sent: ${s.txHash} ${describeStep(s.step)} (block ${s.blockNumber})`),
    });
    io.out(
      `approve: ${sent.length} transactions mined; ${owner} approved for ${addresses.spenders.length} spenders at ${redactRpcUrl(cfg.RPC_URL)}`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof TraderError)) throw err;
    io.err(`refused: approve failed: ${err.message}; run approve again to send what is still missing`);
    return 1;
  } finally {
    provider.destroy();
  }
}
