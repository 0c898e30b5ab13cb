/**
 * `trade --mode live` after the gate (issues #4, #8): the composition root of live trading. Opens
 * the database (its data directory locked), takes the wallet's lock (one trader per wallet),
 * checks on chain that the funder can trade (collateral allowance and CTF approval per V2 spender,
 * gas for an EOA: one refusal line per missing item), resumes the wallet's latest live run or
 * starts one, creates the CLOB venue (`ClobVenue`, credentials created or derived, or configured)
 * and asks the venue to refresh its view of the funds (`update_balance_allowance`), wires the
 * chain edge (`ChainReader`, redeem for an EOA or through a deposit wallet), restores and
 * reconciles before the first tick, then trades the collector's feed until stopped. An
 * account-setup answer of the venue (maker not allowed, signer ≠ API key, bad L1 headers…) stops
 * the trader with one line naming the setting to change. Every refusal is one line; no line ever
 * carries the key, the API secret or the RPC URL's key.
 */
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { privateKeyToAccount } from 'viem/accounts';
import { ChainReader } from '../chain/balances';
import { chainAddresses } from '../chain/addresses';
import { verifyPositionIds } from '../chain/position-ids';
import { checkTradingReadiness, polToWei, tradingAddresses } from '../chain/readiness';
import { redeemWinnings } from '../chain/redeem';
import type { Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { marketSupport } from '../market/gamma';
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
import { LiveSession, type LiveChain, type LiveMarket } from '../live/live-session';

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
 * the addresses are unknown, the data directory or the wallet is in use by another trader, the
 * funder cannot trade (allowances, approvals, gas), credentials cannot be created or derived, or
 * the venue answers with an account-setup error; 0 after a clean stop.
 */
export async function runLive(cfg: Config, o: RunLiveOptions): Promise<number> {
  const log = createLogger(cfg.LOG_LEVEL);
  const wall = new SystemClock();
  let addresses;
  let trading;
  try {
    trading = tradingAddresses(cfg);
    addresses = liveAddresses(cfg);
  } catch (err) {
    console.error(`refused: ${(err as Error).message}`);
    return 1;
  }
  const account = privateKeyToAccount(cfg.PRIVATE_KEY as `0x${string}`);
  const owner = getAddress(cfg.FUNDER_ADDRESS === '' ? account.address : cfg.FUNDER_ADDRESS);
  // no request cache: consecutive redeem transactions must read a fresh pending nonce (toolchain-notes §3)
  const provider = new JsonRpcProvider(cfg.RPC_URL, undefined, { staticNetwork: true, cacheTimeout: -1 });
  let repo: Repository | null = null;
  let lock: Awaited<ReturnType<Repository['lockWallet']>> = null;
  try {
    try {
      repo = await openRepository(
        cfg.DATABASE_URL !== ''
          ? { databaseUrl: cfg.DATABASE_URL }
          : { dataDir: join(cfg.DATA_DIR, 'pglite') },
      );
    } catch (err) {
      console.error(`refused: ${(err as Error).message}`);
      return 1;
    }
    lock = await repo.lockWallet(owner);
    if (lock === null) {
      console.error(
        `refused: wallet ${owner} is already traded by another running trader (its database lock is held); stop that trader first`,
      );
      return 1;
    }
    const refusals = await readiness(cfg, provider, owner, account.address, trading);
    if (refusals.length > 0) {
      for (const r of refusals) console.error(`refused: ${r}`);
      return 1;
    }
    const run = await openLiveRun(repo, cfg, owner, wall.now());
    const reader = new ChainReader({
      runner: provider,
      rpcUrl: cfg.RPC_URL,
      conditionalTokens: addresses.ctf,
      collateral: addresses.collateral,
    });
    /** Collateral each market's position ids were split from (verified at its market check). */
    const collateralOf = new Map<string, string>();
    const negRiskOf = new Map<string, boolean>();
    const sender =
      cfg.SIGNATURE_TYPE === 0 || cfg.SIGNATURE_TYPE === 3 ? new Wallet(cfg.PRIVATE_KEY, provider) : null;
    const chain: LiveChain = {
      owner,
      outcomeBalances: (a, ids) => reader.outcomeBalances(a, ids),
      payout: (c) => reader.payout(c),
      redeem:
        sender === null
          ? null
          : (conditionId) =>
              redeemWinnings({
                wallet: sender,
                ctf: addresses.ctf,
                collateral: collateralOf.get(conditionId) ?? addresses.collateralV1,
                tradingCollateral: trading.collateral,
                conditionId,
                rpcUrl: cfg.RPC_URL,
                negRisk: negRiskOf.get(conditionId) ?? false,
                timeoutMs: REDEEM_TIMEOUT_MS,
                ...(cfg.SIGNATURE_TYPE === 3 ? { depositWallet: owner } : {}),
              }).then((r) => {
                if (r.wrapNeeded)
                  log.warn(
                    { conditionId, collateral: r.collateral, payoutMicros: String(r.payoutMicros) },
                    'redeem paid a collateral the venue does not trade: wrap it (CollateralOnramp) to trade it',
                  );
                return r;
              }),
    };
    const checkMarket = async (m: LiveMarket): Promise<string | null> => {
      const support = marketSupport({
        slug: m.slug ?? m.conditionId,
        negRisk: m.negRisk ?? false,
        protocolVersion: m.protocolVersion,
      });
      if (!support.ok) return support.reason;
      const ids = await verifyPositionIds({
        runner: provider,
        rpcUrl: cfg.RPC_URL,
        ctf: addresses.ctf,
        conditionId: m.conditionId,
        upTokenId: m.upTokenId,
        downTokenId: m.downTokenId,
        candidates: [...new Set([trading.collateral, addresses.collateral, addresses.collateralV1])],
        market: m.slug ?? m.conditionId,
      });
      if (!ids.ok) return ids.reason;
      collateralOf.set(m.conditionId, ids.collateral);
      negRiskOf.set(m.conditionId, m.negRisk ?? false);
      return null;
    };
    let session: LiveSession | null = null;
    let bookOf: PluginContext['bookOf'] = () => undefined;
    // the first account-setup answer of the venue stops the collector (and so the trader)
    let accountError: string | null = null;
    let accountStop: (line: string) => void = () => undefined;
    const stopped = new Promise<void>((ok) => {
      accountStop = (line) => {
        accountError ??= line;
        ok();
      };
    });
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
        signatureType: cfg.SIGNATURE_TYPE as 0 | 1 | 2 | 3,
        ...(cfg.FUNDER_ADDRESS === '' ? {} : { funder: cfg.FUNDER_ADDRESS }),
        tickSizeOf: (id) => bookOf(id)?.tickSize,
        requestTimeoutMs: cfg.CLOB_REQUEST_TIMEOUT_MS,
        clock: { now: () => session?.clock.now() ?? wall.now() },
        logger: log,
        beforePost: async (clientOrderId, venueOrderId) => {
          const signedMs = wall.now();
          session?.noteSigned(clientOrderId, signedMs);
          await repo?.insertOrderAttempts(run.runId, [{ clientOrderId, venueOrderId, signedMs }]);
        },
        onAccountSetupError: (hint) => accountStop(hint),
      });
    } catch (err) {
      console.error(`refused: ${(err as Error).message}`);
      return 1;
    }
    await preflight(reader, venue, owner, log);
    const openRepo = repo;
    await runCollect(cfg, {
      db: true,
      durationSec: o.durationSec,
      venueTime: o.venueTime,
      run: { repo: openRepo, runId: run.runId },
      stopWhen: stopped,
      plugin: (ctx) => {
        bookOf = ctx.bookOf;
        session = new LiveSession({
          config: cfg,
          strategies: createStrategies(cfg.strategies),
          venue,
          chain,
          repo: openRepo,
          runId: run.runId,
          wall,
          startMs: ctx.venueNow(),
          log,
          markets: ctx.markets,
          journalSeqStart: run.seqStart,
          checkMarket,
          callTimeoutMs: Math.max(4 * cfg.CLOB_REQUEST_TIMEOUT_MS, 10_000),
        });
        return livePlugin(cfg, session, run, ctx, log);
      },
    });
    const s = session as LiveSession | null;
    const stats = s?.stats ?? null;
    await openRepo.finishRun(run.runId, wall.now(), {
      live: stats,
      trader: s?.trader.stats ?? null,
      ...(accountError === null ? {} : { stoppedBy: accountError }),
    });
    if (accountError !== null) {
      console.error(`refused: the venue refused this account's orders: ${accountError}`);
      return 1;
    }
    return 0;
  } finally {
    provider.destroy();
    await lock?.release().catch(() => undefined);
    await repo?.close();
  }
}

/** Receipt wait of a redeem transaction, ms (the maintenance lane waits at most this long). */
const REDEEM_TIMEOUT_MS = 60_000;

/**
 * The on-chain start-up check (issue #8 point 4): one line per missing allowance, CTF approval or
 * gas, or one line saying the chain could not be read.
 */
async function readiness(
  cfg: Config,
  provider: JsonRpcProvider,
  owner: string,
  signer: string,
  trading: ReturnType<typeof tradingAddresses>,
): Promise<string[]> {
  try {
    return await checkTradingReadiness({
      runner: provider,
      rpcUrl: cfg.RPC_URL,
      owner,
      signer,
      signatureType: cfg.SIGNATURE_TYPE,
      spenders: trading.spenders,
      collateral: trading.collateral,
      ctf: trading.ctf,
      minAllowanceMicros: BigInt(Math.round(cfg.POSITION_SIZE_USDC * MICROS)),
      minGasWei: polToWei(cfg.MIN_GAS_POL),
      // a deposit wallet is redeemed through its owner key here: that key pays the gas
      gasPayer: cfg.SIGNATURE_TYPE === 0 || cfg.SIGNATURE_TYPE === 3 ? signer : null,
    });
  } catch (err) {
    return [`the start-up check could not read the chain: ${(err as Error).message}; check RPC_URL`];
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

/**
 * Logs the wallet's collateral on chain and asks the venue to refresh its view of it
 * (`GET /balance-allowance/update`, polymarket-protocol.md §5.6: the venue needs it before it sees
 * funds), then logs what the venue sees. Never throws: a failure is a warning.
 */
async function preflight(reader: ChainReader, venue: ClobVenue, owner: string, log: Logger): Promise<void> {
  try {
    const usdc = await reader.collateralBalance(owner);
    log.info({ owner, collateralUsdc: Number(usdc) / MICROS }, 'live wallet');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read the collateral balance');
  }
  try {
    const seen = await venue.updateCollateral();
    log.info({ owner, venueCollateralUsdc: Number(seen.balance) / MICROS }, 'venue balance refreshed');
    if (seen.balance === 0n)
      log.warn({ owner }, 'the venue sees no collateral for this funder: entries will be refused');
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'could not refresh the venue balance (update_balance_allowance)',
    );
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
    stopFlatten: () => session.stopFlatten(),
  });
  // independent lanes (issue #8 point 6): a slow chain read in one never delays the others
  const lanes: Promise<void>[] = [];
  const lane = (job: () => Promise<void>): (() => void) => {
    let busy = false;
    return () => {
      if (busy) return;
      busy = true;
      const p = job().finally(() => {
        busy = false;
        lanes.splice(lanes.indexOf(p), 1);
      });
      lanes.push(p);
    };
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
      await session.marketsChecked();
      if (run.resumed) {
        const n = await session.restore();
        log.info({ runId: run.runId, restored: n }, 'live run resumed');
      }
      await reconcile();
      const d = session.stats.discrepancies;
      console.log(
        `live: run ${run.runId}${run.resumed ? ' (resumed)' : ''}; start reconciliation: ${d.missing + d.extra + d.size_mismatch} discrepancies`,
      );
      timers.push(
        setInterval(
          lane(() => session.pollOrders()),
          cfg.LIVE_POLL_MS,
        ),
      );
      timers.push(
        setInterval(
          lane(() => session.pollWindows()),
          cfg.LIVE_POLL_MS,
        ),
      );
      timers.push(setInterval(lane(reconcile), cfg.RECONCILE_INTERVAL_MS));
    },
    everySecond: () => {
      kill.check();
      void session.flush();
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      kill.dispose();
      await Promise.all([...lanes]);
      await session.stop(cfg.CLOB_REQUEST_TIMEOUT_MS * 2);
      writeTradesFile(cfg.OUT_PATH, session.sink.trades);
      console.log(formatSummary(summarize(session.sink.trades, session.trader.stats)));
      console.log(`open positions left: ${session.trader.openPositions().length}; trades: ${cfg.OUT_PATH}`);
      console.log(`live: ${JSON.stringify(session.stats)}`);
    },
  };
}
