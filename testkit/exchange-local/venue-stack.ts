/**
 * The whole local venue for the rehearsal (issue #4): a local EVM ({@link startLocalChain}) with
 * one prepared CTF condition per recorded window, and the local exchange listing those windows
 * under the chain's condition and position ids, its CLOB settling fills on chain through a
 * {@link ChainLedger}. The exchange's operator holds the inventory (Up and Down tokens split from
 * collateral at start-up, plus collateral to pay sellers). Windows are resolved on chain by
 * {@link VenueStack.resolve}, which the rehearsal calls at each window's end.
 *
 * Start-up cost grows with the number of windows (about 8 transactions each): pass `windows`
 * to keep only the first few of a long recording.
 *
 * Strict venue rules (issue #8): the CLOB reads allowances from the chain (spender = the operator,
 * standing in for the V2 exchange), verifies POLY_1271 signatures through the deposit wallet's
 * ERC-1271 `isValidSignature` on this chain, and reads deposit wallets' `owner()` for bound keys;
 * `clob` options switch on deposit-wallet-only and the balance-update requirement.
 */
import { Contract, MaxUint256, Wallet, parseEther } from 'ethers';
import { DEPOSIT_WALLET_ABI, depositWalletOwner, isValidSignature1271 } from '../../src/chain/deposit-wallet';
import { startLocalChain, type LocalChain, type WindowIds } from '../chain/local-chain';
import { windowKey, windowSlug } from '../../src/core/ids';
import type { Logger } from '../../src/platform/logger';
import type { TickRow, WindowRef } from '../../src/core/types';
import { loadInput } from '../../src/feed/input';
import { buildCatalog, type MarketFlags, type MarketIds } from './catalog';
import { ChainAllowances } from './clob/allowances';
import { ChainLedger } from './clob/chain-ledger';
import type { LocalClobOptions } from './clob/service';
import { DEFAULT_INPUT, startLocalExchange, type LocalExchange, type LocalExchangeOptions } from './server';

/** Options of {@link startVenueStack}: the exchange's options, minus the ledger and the ids it sets. */
export interface VenueStackOptions extends Omit<LocalExchangeOptions, 'clob' | 'tokenIds'> {
  /**
   * CLOB options except what the stack wires to its chain: the ledger (a {@link ChainLedger}),
   * allowances, the ERC-1271 verifier and the wallet-owner reader. Strict rules
   * (`depositWalletOnly`, `depositWalletKeys`, `requireBalanceUpdate`) pass through.
   */
  readonly clob?: Omit<LocalClobOptions, 'ledger' | 'allowances' | 'verify1271' | 'readWalletOwner'>;
  /** Gamma flags per market slug (neg-risk, protocol version; issue #8 point 8). Default none. */
  readonly marketFlags?: (slug: string) => MarketFlags | undefined;
  /** Up and Down tokens minted to the operator per window, micro-shares (default 100_000 shares). */
  readonly depthMicros?: bigint;
  /** Collateral the operator starts with to pay sellers, micro-USDC (default 1_000_000 USDC). */
  readonly operatorCollateralMicros?: bigint;
  /** Receives settlement failures (never keys). */
  readonly logger?: Logger;
}

/** One listed window and its on-chain condition. */
export interface ChainMarket extends WindowIds {
  readonly window: WindowRef;
  readonly slug: string;
}

/** Start-up timings, ms. */
export interface VenueStackTimings {
  /** {@link startLocalChain} (compile or cache read, ganache, deploy). */
  readonly chainMs: number;
  /** Preparing every window's condition and minting the operator's inventory. */
  readonly marketsMs: number;
  /** Starting the exchange. */
  readonly exchangeMs: number;
}

/** A running local venue. Amounts are bigint base units (6 decimals) at this chain edge. */
export interface VenueStack {
  /** The exchange; its CLOB's ledger is {@link ledger}. */
  readonly exchange: LocalExchange;
  /** The chain. Do not send from `chain.deployer` while a stack call is running (one nonce). */
  readonly chain: LocalChain;
  /** The chain-backed ledger of the CLOB. */
  readonly ledger: ChainLedger;
  /**
   * The operator address: the spender traders approve (ERC-20 `approve`, ERC-1155
   * `setApprovalForAll`), standing in for the V2 exchange; `/balance-allowance` reports it.
   */
  readonly operatorAddress: string;
  /** Windows by start, with their chain ids (the exchange lists exactly these ids). */
  readonly markets: readonly ChainMarket[];
  readonly timings: VenueStackTimings;
  /** Returns the chain ids of a listed window, or `undefined`. */
  market(window: WindowRef): ChainMarket | undefined;
  /** Sends `ethWei` (default 1 ETH) for gas and mints `usdcMicros` of collateral to `address`. */
  fundWallet(address: string, usdcMicros: bigint, ethWei?: bigint): Promise<void>;
  /**
   * Funds `wallet` (see {@link fundWallet}), sends its two approvals of the operator (§7.3) unless
   * `opts.approve` is false (for "refused without CTF approval" runs), and reads its balances into
   * the ledger. `wallet` must be connected to `chain.provider`.
   */
  onboard(wallet: Wallet, usdcMicros: bigint, opts?: OnboardOptions): Promise<void>;
  /**
   * Deploys a deposit wallet (`TestDepositWallet`, signed chain id 137) owned by `owner`, sends the
   * owner 1 ETH for gas, mints `usdcMicros` of collateral to the wallet, has the owner send
   * `execute(collateral.approve(operator, MAX))` and `execute(ctf.setApprovalForAll(operator, true))`
   * unless `opts.approve` is false, registers the wallet as the owner's with the CLOB
   * (`signature_type=3` balance queries) and reads its balances into the ledger. `owner` must be
   * connected to `chain.provider`. Returns the wallet's checksummed address.
   */
  onboardDepositWallet(owner: Wallet, usdcMicros: bigint, opts?: OnboardOptions): Promise<string>;
  /**
   * Reports the window's payouts on chain (`[1,0]` UP or `[0,1]` DOWN).
   * @throws {RangeError} for a window the stack does not list.
   */
  resolve(window: WindowRef, winner: 'UP' | 'DOWN'): Promise<void>;
  /** Closes the exchange, waits for pending settlements, then stops the chain. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link VenueStack.onboard} and {@link VenueStack.onboardDepositWallet}. */
export interface OnboardOptions {
  /** Send the operator approvals (default true). */
  readonly approve?: boolean;
}

const SHARE = 1_000_000n;

/**
 * Starts the chain, prepares one condition per kept window (question id = keccak256 of the slug),
 * mints the operator's inventory, and starts the exchange with the chain's ids and a ChainLedger.
 * @throws {InputError} when the recording cannot be read; chain errors when start-up fails
 *   (everything started is closed again).
 */
export async function startVenueStack(opts: VenueStackOptions = {}): Promise<VenueStack> {
  const input = opts.input ?? DEFAULT_INPUT;
  const rows: readonly TickRow[] = typeof input === 'string' ? (await loadInput(input)).rows : input;
  const windows = buildCatalog(rows, opts.windows).markets.map((m) => m.window);

  const t0 = Date.now();
  const chain = await startLocalChain();
  const t1 = Date.now();
  let ledger: ChainLedger | undefined;
  try {
    const operator = await chain.newFundedWallet(opts.operatorCollateralMicros ?? 1_000_000n * SHARE);
    const markets: ChainMarket[] = [];
    for (const w of windows) {
      const slug = windowSlug(w);
      const ids = await chain.prepareWindow(slug);
      await chain.mintOutcomeTokens(operator.address, ids.conditionId, opts.depthMicros ?? 100_000n * SHARE);
      markets.push({ ...ids, window: w, slug });
    }
    const byKey = new Map(markets.map((m) => [windowKey(m.window), m] as const));
    const t2 = Date.now();

    const ledgerOpts = {
      operator,
      rpcUrl: chain.rpcUrl,
      collateral: chain.deployment.collateral,
      conditionalTokens: chain.deployment.conditionalTokens,
      tokenIds: markets.flatMap((m) => [m.upTokenId, m.downTokenId]),
    };
    const chainLedger = new ChainLedger(
      opts.logger === undefined ? ledgerOpts : { ...ledgerOpts, logger: opts.logger },
    );
    ledger = chainLedger;
    const allowances = new ChainAllowances({
      runner: chain.provider,
      rpcUrl: chain.rpcUrl,
      collateral: chain.deployment.collateral,
      conditionalTokens: chain.deployment.conditionalTokens,
      spender: operator.address,
    });
    const {
      clob,
      logger: _logger,
      depthMicros: _d,
      operatorCollateralMicros: _o,
      marketFlags,
      ...rest
    } = opts;
    const exchange = await startLocalExchange({
      ...rest,
      input: rows,
      clob: {
        ...clob,
        ledger: chainLedger,
        allowances,
        verify1271: (wallet, hash, signature) =>
          isValidSignature1271(chain.provider, wallet, hash, signature),
        readWalletOwner: (wallet) => depositWalletOwner(chain.provider, wallet),
      },
      tokenIds: (w): MarketIds | undefined => {
        const m = byKey.get(windowKey(w));
        return (
          m && { ...marketFlags?.(m.slug), up: m.upTokenId, down: m.downTokenId, conditionId: m.conditionId }
        );
      },
    });
    const t3 = Date.now();

    // The stack's own deployer sends run one at a time (ethers reads the pending nonce per send).
    let queue: Promise<unknown> = Promise.resolve();
    const serial = <T>(job: () => Promise<T>): Promise<T> => {
      const next = queue.then(job, job);
      queue = next.catch(() => undefined);
      return next;
    };
    const fundWallet = (address: string, usdcMicros: bigint, ethWei = parseEther('1')): Promise<void> =>
      serial(async () => {
        await (await chain.deployer.sendTransaction({ to: address, value: ethWei })).wait();
        if (usdcMicros > 0n)
          await (await chain.collateral.getFunction('mint').send(address, usdcMicros)).wait();
      });

    let closing: Promise<void> | null = null;
    return {
      exchange,
      chain,
      ledger: chainLedger,
      operatorAddress: operator.address,
      markets,
      timings: { chainMs: t1 - t0, marketsMs: t2 - t1, exchangeMs: t3 - t2 },
      market: (w) => byKey.get(windowKey(w)),
      fundWallet,
      async onboard(wallet, usdcMicros, onboardOpts = {}) {
        await fundWallet(wallet.address, usdcMicros);
        if (onboardOpts.approve !== false) {
          const erc20 = chain.collateral.connect(wallet) as typeof chain.collateral;
          await (await erc20.getFunction('approve').send(operator.address, MaxUint256)).wait();
          const ctf = chain.ctf.connect(wallet) as typeof chain.ctf;
          await (await ctf.getFunction('setApprovalForAll').send(operator.address, true)).wait();
        }
        await chainLedger.track(wallet.address);
      },
      async onboardDepositWallet(owner, usdcMicros, onboardOpts = {}) {
        const address = await serial(() => chain.deployDepositWallet(owner));
        await fundWallet(owner.address, 0n);
        if (usdcMicros > 0n)
          await serial(async () => {
            await (await chain.collateral.getFunction('mint').send(address, usdcMicros)).wait();
          });
        if (onboardOpts.approve !== false) {
          const wallet = new Contract(address, DEPOSIT_WALLET_ABI, owner);
          const approve = chain.collateral.interface.encodeFunctionData('approve', [
            operator.address,
            MaxUint256,
          ]);
          const approveAll = chain.ctf.interface.encodeFunctionData('setApprovalForAll', [
            operator.address,
            true,
          ]);
          const execute = wallet.getFunction('execute');
          await (await execute.send(chain.deployment.collateral, 0n, approve)).wait();
          await (await execute.send(chain.deployment.conditionalTokens, 0n, approveAll)).wait();
        }
        exchange.clob.bindDepositWallet(owner.address, address);
        await chainLedger.track(address);
        return address;
      },
      async resolve(w, winner) {
        const m = byKey.get(windowKey(w));
        if (m === undefined) throw new RangeError(`window ${windowKey(w)} is not listed by the venue stack`);
        await serial(() => chain.resolve(m.conditionId, winner));
      },
      close() {
        closing ??= (async () => {
          await exchange.close();
          await chainLedger.close();
          await queue;
          await chain.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await ledger?.close().catch(() => undefined);
    await chain.close();
    throw err;
  }
}
