/**
 * `trade --mode live` after the gate (issue #4): the composition root of live trading. Opens the
 * database, takes the wallet's lock (one trader per wallet), resumes the wallet's latest live run
 * or starts one, creates the CLOB venue (`ClobVenue`, credentials derived or configured) and the
 * chain edge (`ChainReader`, redeem for an EOA funder), restores and reconciles before the first
 * tick, then trades the collector's feed until stopped. Every refusal is one line saying what to
 * set; no line ever carries the key or the API secret.
 */
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { privateKeyToAccount } from 'viem/accounts';
import { ChainReader } from '../chain/balances';
import { chainAddresses } from '../chain/addresses';
import { redeemWinnings } from '../chain/redeem';
import type { Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { SystemClock } from '../core/clock';
import { createLogger, type Logger } from '../core/logger';
import { MICROS } from '../core/money';
import { ClobVenue } from '../execution/clob-venue';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';
import { formatSummary, summarize } from '../report/summary';
import { writeTradesFile } from '../replay/trades-file';
import { createStrategies } from '../strategy/factory';
import { KillSwitchWatch } from './kill-switch';
import { runCollect, type CollectPlugin, type PluginContext } from './collect';
import { LiveSession, type LiveChain } from '../live/live-session';

/** Options of {@link runLive}. */
export interface RunLiveOptions {
  readonly durationSec: number | null;
  /** Set when the endpoints point at a local exchange: windows follow its clock. */
  readonly venueTime: boolean;
}

/** The chain addresses of the config: explicit ones, else the chain id's own. @throws {ConfigError} */
export function liveAddresses(cfg: Config): { ctf: string; collateral: string; collateralV1: string } {
  if (cfg.CTF_ADDRESS !== '' && cfg.COLLATERAL_ADDRESS !== '')
    return { ctf: cfg.CTF_ADDRESS, collateral: cfg.COLLATERAL_ADDRESS, collateralV1: cfg.COLLATERAL_ADDRESS };
  const a = chainAddresses(cfg.CHAIN_ID);
  return {
    ctf: cfg.CTF_ADDRESS || a.conditionalTokens,
    collateral: cfg.COLLATERAL_ADDRESS || a.collateralV2,
    collateralV1: cfg.COLLATERAL_ADDRESS || a.collateralV1,
  };
}

/**
 * Runs live trading (the gate has passed). Returns the exit code: 1 with a `refused:` line when
 * the wallet is locked by another trader, the addresses are unknown or credentials cannot be
 * derived; 0 after a clean stop.
 */
export async function runLive(cfg: Config, o: RunLiveOptions): Promise<number> {
  const log = createLogger(cfg.LOG_LEVEL);
  const wall = new SystemClock();
  let addresses;
  try {
    addresses = liveAddresses(cfg);
  } catch (err) {
    console.error(
      `refused: ${(err as Error).message}; set CTF_ADDRESS and COLLATERAL_ADDRESS for this chain`,
    );
    return 1;
  }
  const account = privateKeyToAccount(cfg.PRIVATE_KEY as `0x${string}`);
  const owner = getAddress(cfg.FUNDER_ADDRESS === '' ? account.address : cfg.FUNDER_ADDRESS);
  const repo = await openRepository(
    cfg.DATABASE_URL !== '' ? { databaseUrl: cfg.DATABASE_URL } : { dataDir: join(cfg.DATA_DIR, 'pglite') },
  );
  const lock = await repo.lockWallet(owner);
  if (lock === null) {
    console.error(
      `refused: wallet ${owner} is already traded by another running trader (its database lock is held); stop that trader first`,
    );
    await repo.close();
    return 1;
  }
  const provider = new JsonRpcProvider(cfg.RPC_URL, undefined, { staticNetwork: true });
  try {
    const run = await openLiveRun(repo, cfg, owner, wall.now());
    const reader = new ChainReader({
      runner: provider,
      rpcUrl: cfg.RPC_URL,
      conditionalTokens: addresses.ctf,
      collateral: addresses.collateral,
    });
    const signer = cfg.SIGNATURE_TYPE === 0 ? new Wallet(cfg.PRIVATE_KEY, provider) : null;
    const chain: LiveChain = {
      owner,
      outcomeBalances: (a, ids) => reader.outcomeBalances(a, ids),
      payout: (c) => reader.payout(c),
      redeem:
        signer === null
          ? null
          : (conditionId) =>
              redeemWinnings({
                wallet: signer,
                ctf: addresses.ctf,
                collateral: addresses.collateralV1,
                conditionId,
                rpcUrl: cfg.RPC_URL,
              }),
    };
    let session: LiveSession | null = null;
    let bookOf: PluginContext['bookOf'] = () => undefined;
    let venue: ClobVenue;
    try {
      venue = await ClobVenue.create({
        host: cfg.CLOB_URL,
        chainId: cfg.CHAIN_ID === 80002 ? 80002 : 137,
        account,
        ...(cfg.CLOB_API_KEY === ''
          ? {}
          : {
              creds: {
                key: cfg.CLOB_API_KEY,
                secret: cfg.CLOB_API_SECRET,
                passphrase: cfg.CLOB_API_PASSPHRASE,
              },
            }),
        signatureType: cfg.SIGNATURE_TYPE as 0 | 1 | 2, // 3 is refused by the gate
        ...(cfg.FUNDER_ADDRESS === '' ? {} : { funder: cfg.FUNDER_ADDRESS }),
        tickSizeOf: (id) => bookOf(id)?.tickSize,
        requestTimeoutMs: cfg.CLOB_REQUEST_TIMEOUT_MS,
        clock: { now: () => session?.clock.now() ?? wall.now() },
        logger: log,
        beforePost: (clientOrderId, venueOrderId) =>
          repo.insertOrderAttempts(run.runId, [{ clientOrderId, venueOrderId, signedMs: wall.now() }]),
      });
    } catch (err) {
      console.error(
        `refused: ${(err as Error).message}; or set CLOB_API_KEY, CLOB_API_SECRET, CLOB_API_PASSPHRASE`,
      );
      return 1;
    }
    await preflight(reader, owner, log);
    await runCollect(cfg, {
      db: true,
      durationSec: o.durationSec,
      venueTime: o.venueTime,
      run: { repo, runId: run.runId },
      plugin: (ctx) => {
        bookOf = ctx.bookOf;
        session = new LiveSession({
          config: cfg,
          strategies: createStrategies(cfg.strategies),
          venue,
          chain,
          repo,
          runId: run.runId,
          wall,
          startMs: ctx.venueNow(),
          log,
          markets: ctx.markets,
          journalSeqStart: run.seqStart,
        });
        return livePlugin(cfg, session, run, ctx, log);
      },
    });
    const s = session as LiveSession | null;
    const stats = s?.stats ?? null;
    await repo.finishRun(run.runId, wall.now(), { live: stats, trader: s?.trader.stats ?? null });
    return 0;
  } finally {
    provider.destroy();
    await lock.release().catch(() => undefined);
    await repo.close();
  }
}

/** The wallet's run: its latest live run resumed (open positions restored), or a new one. */
async function openLiveRun(
  repo: Repository,
  cfg: Config,
  owner: string,
  nowMs: number,
): Promise<{ runId: number; resumed: boolean; seqStart: number }> {
  const last = await repo.latestRunOf('live', owner);
  if (last !== null) return { runId: last, resumed: true, seqStart: await repo.maxEventSeq(last) };
  const runId = await repo.createRun({
    mode: 'live',
    configHash: configHash(cfg),
    codeRevision: 'trade-live',
    input: cfg.CLOB_URL,
    startedAtMs: nowMs,
    config: redactConfig(cfg),
    wallet: owner,
  });
  return { runId, resumed: false, seqStart: 0 };
}

/** Logs the wallet's collateral at start (allowances are the README's set-up step). */
async function preflight(reader: ChainReader, owner: string, log: Logger): Promise<void> {
  try {
    const usdc = await reader.collateralBalance(owner);
    log.info({ owner, collateralUsdc: Number(usdc) / MICROS }, 'live wallet');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read the collateral balance');
  }
}

function livePlugin(
  cfg: Config,
  session: LiveSession,
  run: { runId: number; resumed: boolean },
  ctx: PluginContext,
  log: Logger,
): CollectPlugin {
  const kill = new KillSwitchWatch(cfg.KILL_SWITCH_FILE, log, {
    get killed() {
      return session.trader.risk.killSwitch;
    },
    setKill: (on) => session.setKill(on),
    flatten: () => session.flatten(),
  });
  let maintenance: Promise<void> = Promise.resolve();
  let busy = false;
  const serially = (job: () => Promise<void>): void => {
    if (busy) return;
    busy = true;
    maintenance = job().finally(() => {
      busy = false;
    });
  };
  const reconcile = async (): Promise<void> => {
    try {
      const found = await session.reconcileOnce();
      if (found.length > 0) log.warn({ discrepancies: found.length }, 'reconciliation adopted chain truth');
    } catch (err) {
      session.stats.reconcileErrors += 1;
      log.warn({ err: (err as Error).message }, 'reconciliation failed; retried next period');
    }
  };
  const timers: NodeJS.Timeout[] = [];
  return {
    onTick: (tick) => session.onTick(tick),
    start: async () => {
      for (const m of ctx.markets()) session.addMarket(m);
      if (run.resumed) {
        const n = await session.restore();
        log.info({ runId: run.runId, restored: n }, 'live run resumed');
      }
      await reconcile();
      const d = session.stats.discrepancies;
      console.log(
        `live: run ${run.runId}${run.resumed ? ' (resumed)' : ''}; start reconciliation: ${d.missing + d.extra + d.size_mismatch} discrepancies`,
      );
      timers.push(setInterval(() => serially(() => session.poll()), cfg.LIVE_POLL_MS));
      timers.push(setInterval(() => serially(reconcile), cfg.RECONCILE_INTERVAL_MS));
    },
    everySecond: () => {
      kill.check();
      void session.flush();
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      kill.dispose();
      await maintenance;
      await session.stop(cfg.CLOB_REQUEST_TIMEOUT_MS * 2);
      writeTradesFile(cfg.OUT_PATH, session.sink.trades);
      console.log(formatSummary(summarize(session.sink.trades, session.trader.stats)));
      console.log(`open positions left: ${session.trader.openPositions().length}; trades: ${cfg.OUT_PATH}`);
      console.log(`live: ${JSON.stringify(session.stats)}`);
    },
  };
}
