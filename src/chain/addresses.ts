/**
 * Contract addresses per chain id. Polygon (137) values come from polymarket-protocol.md §7.1
 * (with the V2 exchanges and pUSD of §10); local chains (1337 ganache, 31337 hardhat/anvil) take
 * theirs from the deployment object `startLocalChain` returns. Nothing here is read from the
 * environment; config passes the chain id in.
 */
import { ConfigError } from '../core/errors';

/** Polygon mainnet addresses (protocol doc §7.1), EIP-55 checksummed. Entries marked [3rd] are unconfirmed. */
export const POLYGON_ADDRESSES = Object.freeze({
  chainId: 137,
  /** Gnosis ConditionalTokens (ERC-1155 positions ledger for V1 / "v1" markets). */
  conditionalTokens: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045',
  /** USDC.e (bridged), V1 collateral, 6 dp. */
  usdcE: '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174',
  /** Native USDC: NOT accepted as CLOB collateral (listed so nobody mistakes it for USDC.e). */
  nativeUsdc: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
  /** pUSD, V2 collateral, 6 dp (§10). */
  pUsd: '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB',
  ctfExchangeV1: '0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E',
  negRiskCtfExchangeV1: '0xC5d563A36AE78145C45a50134d48A1215220f80a',
  negRiskAdapter: '0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296',
  ctfExchangeV2: '0xE111180000d2663C0091e4f400237545B87B996B',
  negRiskCtfExchangeV2: '0xe2222d279d744050d28e00520010520000310F59',
  /** ExchangeV3 for Protocol-V2 ("v2") markets, domain version "3" (§10). */
  exchangeV3: '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa',
  proxyFactory: '0xaB45c5A4B0c941a2F231C04C3f49182e1A254052',
  safeFactory: '0xaacFeEa03eb1561C4e67d661e40682Bd20E3541b',
  umaCtfAdapter: '0x6A9D222616C90FcA5754cd1333cFD9b7fb6a4F74',
  /** USDC.e → pUSD `wrap(asset,to,amount)` [3rd]. */
  collateralOnramp: '0x93070a847efEf7F70739046A929D47a521F5B8ee',
  /** Chainlink BTC/USD aggregator: sanity only, NOT the resolution source. */
  chainlinkBtcUsd: '0xc907E116054Ad103354f2D350FD2514433D57F6f',
});

/** Chain ids of local development chains. */
export type LocalChainId = 1337 | 31337;

/** What a local deployment provides (see `LocalChain.deployment`). */
export interface LocalDeployment {
  readonly chainId: LocalChainId;
  /** TestConditionalTokens address. */
  readonly conditionalTokens: string;
  /** TestCollateral address (stands in for both USDC.e and pUSD). */
  readonly collateral: string;
}

/** The addresses the chain edge needs, the same shape on every chain. */
export interface ChainAddresses {
  readonly chainId: number;
  /** ConditionalTokens (ERC-1155) holding the outcome tokens. */
  readonly conditionalTokens: string;
  /** Collateral of V1 positions and redeem (USDC.e on 137; §7.4: verify per market). */
  readonly collateralV1: string;
  /** Collateral of CLOB V2 trading (pUSD on 137, §10). */
  readonly collateralV2: string;
  /** Spenders/operators needing collateral approval and `setApprovalForAll` for V1 trading (§7.3). */
  readonly spendersV1: readonly string[];
  /** Same for CLOB V2 (§7.3 V2, §10); the V1 NegRisk Adapter is included per a [3rd] report. */
  readonly spendersV2: readonly string[];
}

/**
 * Returns the addresses for `chainId`: the fixed Polygon table for 137, or `local` for 1337/31337
 * (no exchange is deployed locally, so the spender lists are empty).
 * @throws {ConfigError} for an unknown chain id, or a local chain id without a matching deployment.
 */
export function chainAddresses(chainId: number, local?: LocalDeployment): ChainAddresses {
  if (chainId === 137) {
    const p = POLYGON_ADDRESSES;
    return Object.freeze({
      chainId,
      conditionalTokens: p.conditionalTokens,
      collateralV1: p.usdcE,
      collateralV2: p.pUsd,
      spendersV1: Object.freeze([p.ctfExchangeV1, p.negRiskCtfExchangeV1, p.negRiskAdapter]),
      spendersV2: Object.freeze([p.ctfExchangeV2, p.negRiskCtfExchangeV2, p.negRiskAdapter]),
    });
  }
  if (chainId === 1337 || chainId === 31337) {
    if (local === undefined || local.chainId !== chainId)
      throw new ConfigError(
        `chain ${chainId} is a local chain: pass its deployment (startLocalChain().deployment)`,
      );
    return Object.freeze({
      chainId,
      conditionalTokens: local.conditionalTokens,
      collateralV1: local.collateral,
      collateralV2: local.collateral,
      spendersV1: Object.freeze([]),
      spendersV2: Object.freeze([]),
    });
  }
  throw new ConfigError(`unsupported chain id ${chainId}: use 137 (Polygon) or 1337/31337 (local)`);
}
