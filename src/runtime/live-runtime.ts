/**
 * `trade --mode live` after the gate (issues #4, #8; issue #10: the runtime, not the CLI): the
 * composition root of live trading. Opens
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
import { JsonRpcProvider, getAddress } from 'ethers';
import { privateKeyToAccount } from 'viem/accounts';
import { tradingAddresses } from '../chain/readiness';
import type { Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { VirtualClock } from '../core/clock';
import { SystemClock } from '../platform/system-clock';
import { openShadowTwin, withTwin, type ShadowTwin } from './shadow-twin';
import { systemRandom } from '../platform/random';
import { createLogger, type Logger } from '../platform/logger';
import { ClobVenue } from '../execution/clob-venue';
import { LiveSession, type LiveChain, type LiveMarket } from '../live/live-session';
import { FillTimes } from '../live/fill-times';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';
import { createStrategies } from '../strategy/factory';
import { runCollect, type PluginContext } from './collector-host';
import { liveAddresses, liveChainEdge, readiness } from './live-chain';
import { livePlugin, preflight } from './live-plugin';

export { liveAddresses } from './live-chain';

/** Options of {@link runLive}. */
export interface RunLiveOptions {
  readonly durationSec: number | null;
  /** Set when the endpoints point at a local exchange: windows follow its clock. */
  readonly venueTime: boolean;
  /** Run the paper twin beside the live trader (issue #11; default on, `--no-shadow` turns it off). */
  readonly shadow: boolean;
  /** Serve the dashboard (`--dashboard`, issue #13). */
  readonly dashboard?: boolean;
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
    const edge = liveChainEdge(cfg, provider, owner, addresses, trading, log);
    // the first account-setup answer of the venue stops the collector (and so the trader)
    const accountStop = stopSignal();
    const openRepo = repo;
    let built: BuiltSession | null = null;
    let twin: ShadowTwin | null = null;
    try {
      await runCollect(cfg, {
        db: true,
        durationSec: o.durationSec,
        venueTime: o.venueTime,
        run: { repo: openRepo, runId: run.runId },
        stopWhen: accountStop.stopped,
        mode: 'live',
        dashboard: o.dashboard === true,
        plugin: async (ctx) => {
          const b = await buildSession(cfg, {
            ctx,
            account,
            chain: edge.chain,
            checkMarket: edge.checkMarket,
            repo: openRepo,
            run,
            wall,
            log,
            onAccountSetupError: accountStop.stop,
          });
          built = b;
          await preflight(edge.reader, b.venue, owner, log);
          const live = livePlugin(cfg, b.session, run, ctx, log);
          if (!o.shadow) return live;
          try {
            const t = await openShadowTwin(cfg, ctx, openRepo, run.runId, ctx.venueNow(), log);
            twin = t;
            console.log(`paper twin: run ${t.runId} (mode shadow, linked to live run ${run.runId})`);
            const both = withTwin(live, t.plugin);
            // the parity verdict feeds the `parity_fail` alert (issue #13)
            return { ...both, metrics: { ...both.metrics, parity: () => t.parity()?.verdict ?? null } };
          } catch (err) {
            log.error({ err: (err as Error).message }, 'paper twin not started: the live trader runs alone');
            console.error(`paper twin not started: ${(err as Error).message}`);
            return live;
          }
        },
      });
    } catch (err) {
      if (!(err instanceof VenueRefused)) throw err;
      console.error(`refused: ${err.message}`);
      return 1;
    }
    const s = (built as BuiltSession | null)?.session ?? null;
    const stats = s?.stats ?? null;
    await openRepo.finishRun(run.runId, wall.now(), {
      live: stats,
      trader: s?.trader.stats ?? null,
      parity: (twin as ShadowTwin | null)?.parity() ?? null,
      ...(accountStop.reason() === null ? {} : { stoppedBy: accountStop.reason() }),
    });
    const accountError = accountStop.reason();
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

/** A venue that could not be set up (credentials): the run is refused with this message. */
class VenueRefused extends Error {}

/** A stop request the collector host waits for: the first reason given wins. */
function stopSignal(): {
  stopped: Promise<void>;
  stop: (reason: string) => void;
  reason: () => string | null;
} {
  let reason: string | null = null;
  let fire: () => void = () => undefined;
  const stopped = new Promise<void>((ok) => (fire = ok));
  return {
    stopped,
    stop: (line) => {
      reason ??= line;
      fire();
    },
    reason: () => reason,
  };
}

/** What {@link buildSession} needs. */
interface SessionInputs {
  readonly ctx: PluginContext;
  readonly account: ReturnType<typeof privateKeyToAccount>;
  readonly chain: LiveChain;
  readonly checkMarket: (m: LiveMarket) => Promise<string | null>;
  readonly repo: Repository;
  readonly run: { readonly runId: number; readonly seqStart: number };
  readonly wall: SystemClock;
  readonly log: Logger;
  readonly onAccountSetupError: (hint: string) => void;
}

/** The venue and the session of a live run. */
interface BuiltSession {
  readonly venue: ClobVenue;
  readonly session: LiveSession;
}

/**
 * Builds the live session in dependency order (issue #10): the trader's clock (at the venue's
 * time) and the fill times, then the CLOB venue (tick sizes from the collector's books, each
 * signed attempt stored before its POST), then the session.
 * @throws {VenueRefused} when credentials cannot be created or derived.
 */
async function buildSession(cfg: Config, i: SessionInputs): Promise<BuiltSession> {
  const clock = new VirtualClock(i.ctx.venueNow());
  const times = new FillTimes();
  let venue: ClobVenue;
  try {
    venue = await ClobVenue.create({
      host: cfg.CLOB_URL,
      chainId: cfg.CHAIN_ID === 80002 ? 80002 : 137,
      account: i.account,
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
      tickSizeOf: (id) => i.ctx.bookOf(id)?.tickSize,
      requestTimeoutMs: cfg.CLOB_REQUEST_TIMEOUT_MS,
      clock,
      wall: i.wall,
      random: systemRandom,
      logger: i.log,
      beforePost: async (clientOrderId, venueOrderId, signedMs) => {
        await i.repo.insertOrderAttempts(i.run.runId, [{ clientOrderId, venueOrderId, signedMs }]);
      },
      onAccountSetupError: i.onAccountSetupError,
      onLatency: i.ctx.observeOrderLatency,
    });
  } catch (err) {
    throw new VenueRefused((err as Error).message);
  }
  const session = new LiveSession({
    config: cfg,
    strategies: createStrategies(cfg.strategies),
    venue,
    chain: i.chain,
    repo: i.repo,
    runId: i.run.runId,
    wall: i.wall,
    clock,
    times,
    log: i.log,
    markets: i.ctx.markets,
    journalSeqStart: i.run.seqStart,
    checkMarket: i.checkMarket,
    callTimeoutMs: Math.max(4 * cfg.CLOB_REQUEST_TIMEOUT_MS, 10_000),
  });
  return { venue, session };
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
