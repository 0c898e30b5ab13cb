/**
 * The chain edge of live trading (issues #4, #8): the contract addresses of the config, the
 * on-chain start-up check (allowances, approvals, gas), and what the live loop reads and sends on
 * chain — outcome balances, payouts, the redeem (an EOA or a deposit wallet) — plus the market
 * check of each window (neg-risk and protocol support, position ids verified against the chain).
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import { ChainReader } from '../chain/balances';
import { chainAddresses } from '../chain/addresses';
import { verifyPositionIds } from '../chain/position-ids';
import { checkTradingReadiness, polToWei, tradingAddresses } from '../chain/readiness';
import { redeemWinnings } from '../chain/redeem';
import type { Config } from '../config/schema';
import { MICROS } from '../core/money';
import { marketSupport } from '../market/gamma';
import type { Logger } from '../platform/logger';
import type { LiveChain, LiveMarket } from '../live/ports';

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

/** Receipt wait of a redeem transaction, ms (the maintenance lane waits at most this long). */
export const REDEEM_TIMEOUT_MS = 60_000;

/**
 * The on-chain start-up check (issue #8 point 4): one line per missing allowance, CTF approval or
 * gas, or one line saying the chain could not be read.
 */
export async function readiness(
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

/** What {@link liveChainEdge} builds. */
export interface LiveChainEdge {
  readonly reader: ChainReader;
  readonly chain: LiveChain;
  /** The market check of the live loop: `null` = traded, else the reason it is not. */
  readonly checkMarket: (m: LiveMarket) => Promise<string | null>;
}

/**
 * Builds the chain edge for funder `owner` (redeem for an EOA or a deposit wallet, `null` for
 * proxy/Safe funders, which redeem through their wallet). Makes no request.
 */
export function liveChainEdge(
  cfg: Config,
  provider: JsonRpcProvider,
  owner: string,
  addresses: ReturnType<typeof liveAddresses>,
  trading: ReturnType<typeof tradingAddresses>,
  log: Logger,
): LiveChainEdge {
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
  return { reader, chain, checkMarket };
}
