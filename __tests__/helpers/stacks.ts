/** Shared set-ups of the local chain and venue stack for tests. */
import type { LocalChain } from '../../testkit/chain/local-chain';
import { checkTradingReadiness, type ReadinessOptions } from '../../src/chain/readiness';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import {
  startVenueStack,
  type VenueStack,
  type VenueStackOptions,
} from '../../testkit/exchange-local/venue-stack';

/**
 * A venue stack over 2 synthetic windows, played by hand, no RTDS, with a deep operator inventory
 * (10,000 shares a side, 10,000 USDC) so that many orders can fill; `extra` overrides.
 */
export function deepVenueStack(extra: VenueStackOptions = {}): Promise<VenueStack> {
  return startVenueStack({
    input: syntheticRows(2, 20),
    manual: true,
    rtdsInput: null,
    depthMicros: 10_000_000_000n,
    operatorCollateralMicros: 10_000_000_000n,
    ...extra,
  });
}

/**
 * The start-up readiness check of an EOA `owner` on a local chain for `spenders` (a 1 USDC
 * minimum allowance, no gas minimum); `extra` overrides.
 */
export function localReadiness(
  chain: LocalChain,
  spenders: readonly string[],
  owner: string,
  extra: Partial<ReadinessOptions> = {},
): Promise<string[]> {
  return checkTradingReadiness({
    runner: chain.provider,
    rpcUrl: chain.rpcUrl,
    owner,
    signer: owner,
    signatureType: 0,
    spenders,
    collateral: chain.deployment.collateral,
    ctf: chain.deployment.conditionalTokens,
    minAllowanceMicros: 1_000_000n,
    minGasWei: 0n,
    ...extra,
  });
}
