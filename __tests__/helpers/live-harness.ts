/**
 * A live loop on real parts for tests (issues #4, #8): the real `ClobVenue` (official client)
 * posting to the local exchange, which settles on a local EVM (`startVenueStack`), and a
 * `LiveSession` reading the chain. One wallet per `setup`, freshly generated.
 */
import { Wallet } from 'ethers';
import pino from 'pino';
import { privateKeyToAccount } from 'viem/accounts';
import { ChainReader } from '../../src/chain/balances';
import { redeemWinnings } from '../../src/chain/redeem';
import type { Signal, Tick, TopOfBook } from '../../src/core/types';
import { windowKey } from '../../src/core/ids';
import type { Config } from '../../src/config/schema';
import type { Logger } from '../../src/platform/logger';
import { topOfLevels } from '../../testkit/exchange-local/server';
import type { VenueStack } from '../../testkit/exchange-local/venue-stack';
import { ClobVenue } from '../../src/execution/clob-venue';
import { VirtualClock } from '../../src/core/clock';
import { FillTimes } from '../../src/live/fill-times';
import { LiveSession, type LiveChain, type LiveMarket } from '../../src/live/live-session';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import type { Repository } from '../../src/persistence/repository';
import type { Strategy } from '../../src/strategy/strategy';
import { testConfig } from './scenario';

/** Enters UP on the first tick of each window. */
export class FirstTickUp implements Strategy {
  readonly name = 'first';
  private readonly seen = new Set<string>();
  onTick(tick: Tick): readonly Signal[] {
    if (this.seen.has(tick.windowKey)) return [];
    this.seen.add(tick.windowKey);
    return [{ strategy: this.name, side: 'UP', note: 'test' }];
  }
  dropWindow(): void {}
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let seq = 0;
/** A tick of market `i` of the stack from the exchange's books now. */
export function tickOf(stack: VenueStack, i = 0): Tick {
  const m = stack.markets[i]!;
  const top = (tokenId: string): TopOfBook => topOfLevels(tokenId, stack.exchange.books(tokenId));
  seq += 1;
  return {
    seq,
    tsMs: stack.exchange.clockMs(),
    window: m.window,
    windowKey: windowKey(m.window),
    up: top(m.upTokenId),
    down: top(m.downTokenId),
    spot: null,
  };
}

/** Options of {@link setupLive}. */
export interface LiveSetupOptions {
  /** Config overrides on top of the harness defaults. */
  readonly config?: Partial<Config>;
  /** A funder this trader cannot redeem for (proxy/Safe): `chain.redeem` is null. */
  readonly noRedeem?: boolean;
  /** The repository (default a fresh memory one) and the run to resume. */
  readonly repo?: Repository;
  readonly runId?: number;
  /** The run's highest stored journal seq when resuming it (as `trade-live` passes it). */
  readonly journalSeqStart?: number;
  /** The wallet (default a freshly generated one, onboarded with 1000 USDC). */
  readonly wallet?: Wallet;
  /** Wraps the chain edge (to slow it down or break it). */
  readonly chain?: (c: LiveChain) => LiveChain;
  /** Markets of the session (default the stack's first). */
  readonly markets?: () => readonly LiveMarket[];
  /** The session's market check (default none: every market is traded). */
  readonly checkMarket?: (m: LiveMarket) => Promise<string | null>;
  /** Logger of the session and the venue (default silent). */
  readonly log?: Logger;
}

/** Builds a live session for a (new) wallet on `stack`. */
export async function setupLive(stack: VenueStack, o: LiveSetupOptions = {}) {
  const wallet = o.wallet ?? new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
  if (o.wallet === undefined) await stack.onboard(wallet, 1_000n * 1_000_000n);
  const account = privateKeyToAccount(wallet.privateKey as `0x${string}`);
  const repo: Repository = o.repo ?? new MemoryRepository();
  const runId =
    o.runId ??
    (await repo.createRun({
      mode: 'live',
      configHash: 't',
      codeRevision: 't',
      input: 't',
      startedAtMs: 0,
      config: {},
      wallet: wallet.address,
    }));
  const log = o.log ?? pino({ level: 'silent' });
  // dependency order (issue #10): the trader's clock and the order times, then the venue, then the session
  const clock = new VirtualClock(stack.exchange.clockMs());
  const times = new FillTimes();
  const venue = await ClobVenue.create({
    host: stack.exchange.url,
    chainId: 137,
    account,
    requestTimeoutMs: 300,
    logger: log,
    retry: { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 20 },
    clock,
    beforePost: async (clientOrderId, venueOrderId, signedMs) => {
      await repo.insertOrderAttempts(runId, [{ clientOrderId, venueOrderId, signedMs }]);
    },
  });
  const reader = new ChainReader({
    runner: stack.chain.provider,
    rpcUrl: stack.chain.rpcUrl,
    conditionalTokens: stack.chain.deployment.conditionalTokens,
    collateral: stack.chain.deployment.collateral,
  });
  const m = stack.markets[0]!;
  const base: LiveChain = {
    owner: wallet.address,
    outcomeBalances: (a, ids) => reader.outcomeBalances(a, ids),
    payout: (c) => reader.payout(c),
    redeem:
      o.noRedeem === true
        ? null
        : (conditionId) =>
            redeemWinnings({
              wallet,
              ctf: stack.chain.deployment.conditionalTokens,
              collateral: stack.chain.deployment.collateral,
              conditionId,
              rpcUrl: stack.chain.rpcUrl,
            }),
  };
  const session = new LiveSession({
    config: testConfig({
      POSITION_SIZE_USDC: 5,
      EXIT_RETRY_DELAY_MS: 0,
      SETTLEMENT_GRACE_MS: 0,
      STOP_LOSS_PCT: 0.9,
      TRAILING_ACTIVATION_PCT: 0.9,
      MIN_PROFIT_FLOOR_PCT: 0.05,
      ...o.config,
    }),
    strategies: [new FirstTickUp()],
    venue,
    chain: o.chain === undefined ? base : o.chain(base),
    repo,
    runId,
    wall: { now: () => Date.now() },
    clock,
    times,
    log,
    markets: o.markets ?? (() => [m]),
    callTimeoutMs: 2_000,
    ...(o.journalSeqStart === undefined ? {} : { journalSeqStart: o.journalSeqStart }),
    ...(o.checkMarket === undefined ? {} : { checkMarket: o.checkMarket }),
  });
  const s = session;
  /** Drives the loop until no order is in flight (polls resolve unknown outcomes). */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      await s.settled();
      await venue.idle();
      await s.poll();
      if (!venue.busy && s.trader.openPositions().every((p) => p.openOrderId === null)) return;
      await sleep(50);
    }
    throw new Error('orders still in flight');
  };
  const mine = () =>
    stack.exchange.clob
      .tradeLog()
      .filter((t) => t.maker_address.toLowerCase() === wallet.address.toLowerCase());
  const balanceOf = async (tokenId: string): Promise<bigint> =>
    (await reader.outcomeBalances(wallet.address, [tokenId])).values().next().value ?? 0n;
  const upBalance = (): Promise<bigint> => balanceOf(m.upTokenId);
  return {
    session: s,
    venue,
    repo,
    runId,
    settle,
    mine,
    upBalance,
    balanceOf,
    m,
    wallet,
    address: wallet.address,
  };
}

/** What {@link setupLive} returns. */
export type LiveEnv = Awaited<ReturnType<typeof setupLive>>;
