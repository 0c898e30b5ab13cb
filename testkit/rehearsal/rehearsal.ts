/**
 * The local rehearsal of live trading (issues #4, #8, `npm run rehearse`): a local EVM and the
 * local exchange settling on it (`startVenueStack`) in its strict mode (allowances read from the
 * chain, funds invisible until `update_balance_allowance`, deposit-wallet-only for the type-3
 * run), a freshly generated wallet onboarded with collateral and approvals, and the real CLI
 * `trade --mode live` as a child process trading N recorded windows while the exchange's fault
 * switches fire one after another. It runs once per supported signature type (0: an EOA; 3: a
 * deposit wallet, POLY_1271, verified by the wallet contract's `isValidSignature` on the local
 * EVM), after checking that a wallet without the CTF approval is refused at start. Windows are
 * resolved on chain at their end; the trader must redeem the winners. The verdict is computed
 * from independent sources: the exchange's trade log (duplicate sells), the chain (tokens left),
 * and the trader's database (positions, audit rows).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Wallet } from 'ethers';
import pino from 'pino';
import { canonicalTokenId } from '../../src/chain/balances';
import { LIVE_CONFIRM_PHRASE } from '../../src/config/live-gate';
import { windowEndMs } from '../../src/core/types';
import { openRepository } from '../../src/persistence/open-repository';
import type { KnexRepository } from '../../src/persistence/knex-repository';
import type { PositionRecord } from '../../src/persistence/records';
import { topOfLevels } from '../exchange-local/server';
import { startVenueStack, type ChainMarket, type VenueStack } from '../exchange-local/venue-stack';
import { winnerFromLastTick } from '../../src/trader/exits/window-expiry';
import { faultPlan } from './rehearsal-faults';

/** The verdict line of a rehearsal (its last stdout line, issues #4, #8). */
export interface RehearsalResult {
  /** Positions whose entry filled. */
  positions: number;
  faultsInjected: number;
  /** Found by the trader's reconciliation passes plus the final independent check. */
  discrepancies: number;
  /** SELL orders filled beyond one per exited position, or shares sold beyond those bought. */
  duplicateSells: number;
  /** Positions not CLOSED at the end, plus outcome tokens still held after redemption. */
  lostPositions: number;
  /** Winning positions whose window was redeemed with a payout. */
  redeemed: number;
  /** Signature types rehearsed (0 EOA, 3 deposit wallet). */
  signatureTypes?: number[];
  /** Distinct order-status spellings the exchange answered in and the trader settled. */
  statusSpellings?: number;
  /** A wallet without the CTF approval was refused at start (exit 1, one line naming it). */
  allowanceRefused?: boolean;
}

/** Details next to the verdict. */
export interface RehearsalReport {
  readonly result: RehearsalResult;
  /** Positions closed at resolution on the winning side (each must be redeemed). */
  readonly winners: number;
  readonly faults: readonly string[];
  /** Fault switches that found no order to act on (then `ok` is false: re-run, or more windows). */
  readonly missedFaults: readonly string[];
  /** Order-status spellings the exchange answered in. */
  readonly spellings: readonly string[];
  /** The trader's stdout (summary table and counters). */
  readonly traderOutput: string;
  /** Orders not filled, by purpose, status and reason. */
  readonly rejections: Readonly<Record<string, number>>;
  /** The RECONCILED audit rows the trader wrote (position key: data). */
  readonly audits: readonly string[];
  readonly ok: boolean;
}

/** Options of {@link rehearse}. */
export interface RehearsalOptions {
  /** Recorded windows traded per run (default 5); one more is played so the last one expires. */
  readonly windows?: number;
  /** Playback speed, recording ms per wall ms (default 60). */
  readonly speed?: number;
  /** PostgreSQL URL; empty = an embedded PGlite in a temporary directory. */
  readonly databaseUrl?: string;
  /** Extra environment for the trader. */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives progress lines. */
  readonly progress?: (line: string) => void;
  /** Keep the temporary directory (database, trades.jsonl) for inspection; its path is reported. */
  readonly keep?: boolean;
  /** Signature types to rehearse (default [0, 3]). */
  readonly signatureTypes?: readonly (0 | 3)[];
  /** Receives every chunk of every trader's stdout and stderr (its own logs), whole (issue #9). */
  readonly onTraderOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /**
   * Receives, per trader started, what no output may show: the wallet's private key and the API
   * secret and passphrase the venue issued (for the key-never-logged test, issue #9).
   */
  readonly onSecrets?: (secrets: readonly string[]) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The environment of a live trader against a venue stack: gate opened, the chain's addresses,
 * short periods for a sped-up playback, PGlite in `dir` unless `databaseUrl` is set, the kill
 * switch at `dir/KILL`, trades at `dir/trades.jsonl`. `extra` overrides.
 */
export function traderEnv(
  stack: VenueStack,
  privateKey: string,
  dir: string,
  databaseUrl: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    LIVE_CONFIRM: LIVE_CONFIRM_PHRASE,
    PRIVATE_KEY: privateKey,
    POSITION_SIZE_USDC: '5',
    MAX_POSITION_USDC: '5',
    DAILY_LOSS_LIMIT_USDC: '1000',
    MAX_OPEN_POSITIONS: '10',
    CHAIN_ID: String(stack.chain.chainId),
    RPC_URL: stack.chain.rpcUrl,
    CTF_ADDRESS: stack.chain.deployment.conditionalTokens,
    COLLATERAL_ADDRESS: stack.chain.deployment.collateral,
    // the local exchange's operator stands in for the V2 exchange: the spender to approve
    EXCHANGE_SPENDERS: stack.operatorAddress,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dir,
    OUT_PATH: join(dir, 'trades.jsonl'),
    KILL_SWITCH_FILE: join(dir, 'KILL'),
    COLLECT_CRYPTOS: 'BTC',
    COLLECT_INTERVALS: '15m',
    DISCOVERY_INTERVAL_MS: '200',
    RECONCILE_INTERVAL_MS: '1000',
    SETTLEMENT_GRACE_MS: '4000',
    CLOB_REQUEST_TIMEOUT_MS: '1000',
    LIVE_POLL_MS: '250',
    LOG_LEVEL: 'warn',
    // wider exits than the defaults, so that some positions ride to resolution and are redeemed;
    // 0.5 is the widest stop a 5 USDC position can still sell at (the live gate, issue #8 point 5)
    STOP_LOSS_PCT: '0.5',
    TRAILING_ACTIVATION_PCT: '0.5',
    ...extra,
  };
}

/** Starts `trade --mode live --local <url> [args]` (the real CLI, through tsx) with `env`; output piped. */
export function spawnTrader(
  env: Readonly<Record<string, string>>,
  exchangeUrl: string,
  args: readonly string[] = [],
): ChildProcess {
  const main = resolve(__dirname, '..', '..', 'src', 'cli', 'main.ts');
  return spawn(
    process.execPath,
    ['--import', 'tsx', main, 'trade', '--mode', 'live', '--local', exchangeUrl, ...args],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** The winner of a window from the exchange's books at its end (the trader's rule, `winnerFromLastTick`). */
function winnerAtEnd(s: VenueStack, m: ChainMarket): 'UP' | 'DOWN' {
  const top = (id: string) => topOfLevels(id, s.exchange.books(id));
  return winnerFromLastTick({ up: top(m.upTokenId), down: top(m.downTokenId) });
}

/**
 * Runs the rehearsal: the allowance refusal, then one run per signature type (default 0 and 3),
 * and returns the combined report; `ok` iff a wallet without the CTF approval was refused and
 * every run is ok (every fault switch fired, discrepancies, duplicate sells and lost positions 0,
 * every winner redeemed).
 * @throws when the venue stack or the trader cannot start (the trader's stderr tail is in the message).
 */
export async function rehearse(opts: RehearsalOptions = {}): Promise<RehearsalReport> {
  const say = opts.progress ?? (() => undefined);
  const allowanceRefused = await rehearseAllowanceRefusal(opts);
  say(`a wallet without the CTF approval was ${allowanceRefused ? '' : 'NOT '}refused at start`);
  const types = opts.signatureTypes ?? [0, 3];
  const runs: RehearsalReport[] = [];
  for (const t of types) {
    say(`run with SIGNATURE_TYPE ${t}`);
    runs.push(await rehearseOnce(t, opts));
  }
  const sum = (k: keyof RehearsalResult): number =>
    runs.reduce((a, r) => a + (typeof r.result[k] === 'number' ? (r.result[k] as number) : 0), 0);
  const spellings = new Set(runs.flatMap((r) => r.spellings));
  const result: RehearsalResult = {
    positions: sum('positions'),
    faultsInjected: sum('faultsInjected'),
    discrepancies: sum('discrepancies'),
    duplicateSells: sum('duplicateSells'),
    lostPositions: sum('lostPositions'),
    redeemed: sum('redeemed'),
    signatureTypes: [...types],
    statusSpellings: spellings.size,
    allowanceRefused,
  };
  return {
    result,
    winners: runs.reduce((a, r) => a + r.winners, 0),
    faults: runs.flatMap((r, i) => r.faults.map((f) => `${f} (type ${types[i]})`)),
    missedFaults: runs.flatMap((r, i) => r.missedFaults.map((f) => `${f} (type ${types[i]})`)),
    spellings: [...spellings],
    traderOutput: runs.map((r) => r.traderOutput).join('\n'),
    rejections: Object.assign({}, ...runs.map((r) => r.rejections)) as Record<string, number>,
    audits: runs.flatMap((r) => r.audits),
    ok: allowanceRefused && runs.every((r) => r.ok),
  };
}

/**
 * Starts the trader for a wallet that has collateral and the collateral allowance but not the
 * CTF `setApprovalForAll` (issue #8 point 4): it must exit 1 before trading, with a line naming
 * the missing approval. Returns whether it did.
 */
async function rehearseAllowanceRefusal(opts: RehearsalOptions): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-refuse-'));
  const stack = await startVenueStack({ windows: 1, manual: true, rtdsInput: null });
  try {
    const wallet = new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
    await stack.onboard(wallet, 100n * 1_000_000n, { approve: false });
    const erc20 = stack.chain.collateral.connect(wallet) as typeof stack.chain.collateral;
    await (await erc20.getFunction('approve').send(stack.operatorAddress, 1n << 200n)).wait();
    const child = spawnTrader(
      traderEnv(stack, wallet.privateKey, dir, opts.databaseUrl ?? ''),
      stack.exchange.url,
    );
    let err = '';
    opts.onSecrets?.([wallet.privateKey]);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      opts.onTraderOutput?.('stderr', d.toString());
    });
    child.stdout?.on('data', (d: Buffer) => opts.onTraderOutput?.('stdout', d.toString()));
    const code = await Promise.race([
      new Promise<number | null>((ok) => child.once('exit', (c) => ok(c))),
      sleep(60_000).then(() => 'timeout' as const),
    ]);
    if (code === 'timeout') child.kill('SIGKILL');
    return code === 1 && /refused: .*setApprovalForAll/.test(err);
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One rehearsal run with `signatureType` (0: the wallet is an EOA; 3: the wallet owns a deposit
 * wallet that holds the funds, and the exchange takes deposit-wallet orders only).
 */
async function rehearseOnce(signatureType: 0 | 3, opts: RehearsalOptions): Promise<RehearsalReport> {
  const n = opts.windows ?? 5;
  const speed = opts.speed ?? 60;
  const say = opts.progress ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
  const stack = await startVenueStack({
    windows: n + 1,
    manual: true,
    speed,
    rtdsInput: null,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    clob: { requireBalanceUpdate: true, depositWalletOnly: signatureType === 3 },
  });
  let child: ChildProcess | null = null;
  try {
    const wallet = new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
    let funder = wallet.address;
    const extraEnv: Record<string, string> = { ...opts.env };
    if (signatureType === 3) {
      funder = await stack.onboardDepositWallet(wallet, 1_000n * 1_000_000n);
      extraEnv['SIGNATURE_TYPE'] = '3';
      extraEnv['FUNDER_ADDRESS'] = funder;
    } else {
      await stack.onboard(wallet, 1_000n * 1_000_000n);
    }
    say(
      `venue stack up (chain ${stack.timings.chainMs} ms, markets ${stack.timings.marketsMs} ms); wallet onboarded${signatureType === 3 ? ` (deposit wallet ${funder})` : ''}`,
    );
    const killFile = join(dir, 'KILL');
    const env = traderEnv(stack, wallet.privateKey, dir, opts.databaseUrl ?? '', extraEnv);
    child = spawnTrader(env, stack.exchange.url);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      opts.onTraderOutput?.('stdout', d.toString());
    });
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
      opts.onTraderOutput?.('stderr', d.toString());
    });
    const exited = new Promise<number | null>((ok) => child?.once('exit', (code) => ok(code)));
    const started = Date.now();
    while (!out.includes('start reconciliation')) {
      if (child.exitCode !== null || Date.now() - started > 60_000)
        throw new Error(`the trader did not start: ${out.slice(-2_000)} ${err.slice(-2_000)}`);
      await sleep(50);
    }
    say(out.trim().split('\n').pop() ?? '');

    const markets = stack.markets.slice(0, n);
    const last = markets[n - 1];
    if (last === undefined) throw new Error(`the recording has fewer than ${n} windows`);
    const plan = faultPlan();
    const fired: string[] = [];
    let current = 0;
    let armedCurrent = false;
    // the next switch waits for another order after the firing one, so one order's retries
    // do not consume several switches
    let firedAtPosts = -2;
    const resolved = new Set<number>();
    const winners = new Map<string, 'UP' | 'DOWN'>();
    stack.exchange.play();
    const lastEnd = windowEndMs(last.window);
    let killed = false;
    while (
      stack.exchange.clockMs() < lastEnd + 60_000 &&
      !(stack.exchange.clockMs() >= lastEnd && playbackDone(stack))
    ) {
      await sleep(25);
      const now = stack.exchange.clockMs();
      const f = plan[current];
      if (f !== undefined && !armedCurrent && stack.exchange.clob.orderPosts > firedAtPosts) {
        f.arm(stack);
        armedCurrent = true;
      } else if (f !== undefined && f.fired(stack)) {
        fired.push(f.name);
        say(`fault fired: ${f.name}`);
        current += 1;
        armedCurrent = false;
        firedAtPosts = stack.exchange.clob.orderPosts;
      }
      for (let i = 0; i < markets.length; i++) {
        const m = markets[i]!;
        if (!resolved.has(i) && now >= windowEndMs(m.window)) {
          resolved.add(i);
          const w = winnerAtEnd(stack, m);
          winners.set(m.conditionId, w);
          await stack.resolve(m.window, w);
          say(`window ${m.slug} resolved on chain: ${w}`);
        }
      }
      if (!killed && now >= lastEnd - 1_000) {
        // no entries in the extra window: it is played only to expire the last one
        killed = true;
        writeFileSync(killFile, 'stop entries\n');
      }
    }
    stack.exchange.pause();
    const pending = plan[current];
    if (pending !== undefined && armedCurrent && pending.fired(stack)) fired.push(pending.name);
    stack.exchange.clob.faults.reset();

    // wait for the trader to redeem: every traded token back to zero (or a time limit)
    const tokenIds = markets.flatMap((m) => [m.upTokenId, m.downTokenId]);
    const ctf = stack.chain.ctf;
    const held = async (): Promise<bigint[]> =>
      (await ctf.getFunction('balanceOfBatch').staticCall(
        tokenIds.map(() => funder),
        tokenIds,
      )) as bigint[];
    const waitStart = Date.now();
    while (Date.now() - waitStart < 30_000 && (await held()).some((v) => v > 10_000n)) await sleep(250);
    await sleep(1_500); // one more reconciliation pass after the last redeem
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    say(`trader stopped (exit ${String(code)}); chain settlements ${JSON.stringify(stack.ledger.stats)}`);
    opts.onSecrets?.([
      wallet.privateKey,
      ...stack.exchange.clob.issuedCreds().flatMap((c) => [c.secret, c.passphrase]),
    ]);
    const stats = stack.exchange.clob.faults.stats;
    say(`exchange fault counters ${JSON.stringify(stats)}`);

    // verdict from the exchange, the chain and the database
    const rejections: Record<string, number> = {};
    const audits: string[] = [];
    const repo = (await openRepository(
      opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : { dataDir: join(dir, 'pglite') },
    )) as KnexRepository;
    try {
      const runId = await repo.latestRunOf('live', funder);
      if (runId === null) throw new Error(`the trader stored no live run: ${err.slice(-2_000)}`);
      const positions = await repo.loadPositions(runId);
      const events = await repo.loadPositionEvents(runId);
      for (const e of events)
        if (e.type === 'RECONCILED') audits.push(`${e.positionKey}: ${JSON.stringify(e.data)}`);
      for (const o of await repo.loadOrders(runId)) {
        if (o.status === 'filled' || o.status === 'pending') continue;
        const reason = `${o.purpose} ${o.status}: ${(o.reason ?? '').replace(/0x[0-9a-f]+/gi, '…').slice(0, 90)}`;
        rejections[reason] = (rejections[reason] ?? 0) + 1;
      }
      const run = await repo.loadRun(runId);
      const live = (run?.summary?.['live'] ?? null) as { discrepancies?: Record<string, number> } | null;
      const traderDiscrepancies = Object.values(live?.discrepancies ?? {}).reduce((a, b) => a + b, 0);
      const balances = await held();
      const heldLeft = balances.filter((v) => v > 10_000n).length;
      const notClosed = positions.filter((p) => p.state !== 'CLOSED');
      // final independent check: every open position's shares on chain
      const byToken = new Map(tokenIds.map((id, i) => [canonicalTokenId(id), balances[i] ?? 0n]));
      const finalDiscrepancies = notClosed.filter(
        (p) => (byToken.get(canonicalTokenId(p.tokenId)) ?? 0n) !== BigInt(p.shares),
      ).length;
      const redeemedKeys = new Set(
        events
          .filter((e) => e.type === 'REDEEMED' && Number(e.data['proceeds'] ?? 0) > 0)
          .map((e) => e.positionKey),
      );
      const winnerKeys = positions.filter((p) => isWinner(p, markets, winners)).map((p) => p.positionKey);
      const spellings = Object.keys(stats.spellingsServed);
      const result: RehearsalResult = {
        positions: positions.filter((p) => p.entryTimeMs !== null).length,
        faultsInjected: fired.length,
        discrepancies: traderDiscrepancies + finalDiscrepancies,
        duplicateSells: duplicateSells(stack, funder, positions),
        lostPositions: notClosed.length + heldLeft,
        redeemed: winnerKeys.filter((k) => redeemedKeys.has(k)).length,
        signatureTypes: [signatureType],
        statusSpellings: spellings.length,
      };
      const ok =
        result.discrepancies === 0 &&
        result.duplicateSells === 0 &&
        result.lostPositions === 0 &&
        result.redeemed === winnerKeys.length &&
        // the rehearsal is only one when every fault switch fired (issue #4)
        result.faultsInjected === plan.length;
      const missed = plan.map((f) => f.name).filter((name) => !fired.includes(name));
      return {
        result,
        winners: winnerKeys.length,
        faults: fired,
        missedFaults: missed,
        spellings,
        traderOutput: out,
        ok,
        rejections,
        audits,
      };
    } finally {
      await repo.close();
    }
  } finally {
    if (child !== null && child.exitCode === null) child.kill('SIGKILL');
    await stack.close();
    if (opts.keep === true) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function playbackDone(s: VenueStack): boolean {
  return !s.exchange.stats().playing;
}

function isWinner(
  p: PositionRecord,
  markets: readonly ChainMarket[],
  winners: ReadonlyMap<string, 'UP' | 'DOWN'>,
): boolean {
  if (p.exitReason !== 'window_expiry' || p.shares <= 0) return false;
  const m = markets.find((x) => x.window.windowEpoch === p.windowEpoch && x.window.windowSec === p.windowSec);
  return m !== undefined && winners.get(m.conditionId) === p.side;
}

/** Filled SELL orders beyond one per position that exited by a sale, and shares sold beyond those bought. */
function duplicateSells(s: VenueStack, address: string, positions: readonly PositionRecord[]): number {
  const mine = s.exchange.clob
    .tradeLog()
    .filter((t) => t.maker_address.toLowerCase() === address.toLowerCase());
  let dup = 0;
  const tokens = new Set(mine.map((t) => t.asset_id));
  for (const token of tokens) {
    const sells = new Set(
      mine.filter((t) => t.asset_id === token && t.side === 'SELL').map((t) => t.taker_order_id),
    ).size;
    const sold = positions.filter(
      (p) =>
        canonicalTokenId(p.tokenId) === canonicalTokenId(token) &&
        p.state === 'CLOSED' &&
        p.exitReason !== 'window_expiry' &&
        (p.proceedsUsdc ?? 0) > 0,
    ).length;
    dup += Math.max(0, sells - sold);
    const shares = (side: 'BUY' | 'SELL'): number =>
      mine.filter((t) => t.asset_id === token && t.side === side).reduce((a, t) => a + Number(t.size), 0);
    if (shares('SELL') > shares('BUY') + 0.01) dup += 1;
  }
  return dup;
}
