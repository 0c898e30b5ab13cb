/**
 * Set-up pieces of the CLOB venue (issue #8): the local-only signing wallet, API credentials by
 * create-or-derive with a one-line hint on refusal, and the classification of build failures.
 */
import type { ApiKeyCreds } from '@polymarket/clob-client-v2';
import { createWalletClient, custom, type LocalAccount, type WalletClient } from 'viem';
import { polygon, polygonAmoy } from 'viem/chains';
import { TraderError } from '../core/errors';
import type { FailureCause } from '../core/types';
import { TimeoutError } from '../platform/with-timeout';
import { accountSetupHint } from './account-errors';
import { createOrDeriveCreds } from './clob-http';
import { errorText } from './clob-outcome';

/**
 * A viem wallet client that signs locally with `account` on chain 137 (Polygon) or 80002 (Amoy);
 * its transport refuses every RPC call (any RPC use by the CLOB client would be a bug).
 */
export function signingWallet(account: LocalAccount, chainId: 137 | 80002): WalletClient {
  return createWalletClient({
    account,
    chain: chainId === 137 ? polygon : polygonAmoy,
    transport: custom({ request: () => Promise.reject(new Error('no RPC in the CLOB venue')) }),
  }) as WalletClient;
}

/** A failure to build an order: the venue not answering (timeout, network) or the order itself. */
export function buildFailureCause(err: unknown): FailureCause {
  if (err instanceof TimeoutError) return 'venue_unavailable';
  const m = (err as Error).message ?? '';
  return /ECONNREFUSED|ECONNRESET|socket hang up|ENOTFOUND|EAI_AGAIN|failed to (fetch market info|resolve condition id)|timeout/i.test(
    m,
  )
    ? 'venue_unavailable'
    : 'market';
}

/** A decimal integer string (or number) as bigint; `null` otherwise. */
export function bigintOf(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : null;
}

/**
 * API credentials by create-or-derive (issue #8; probe §1.1), bounded by `timeoutMs`.
 * @throws {TraderError} (`config`) with a one-line hint naming the setting to change, or the host
 * and the venue's answer — never a secret.
 */
export async function obtainCreds(
  hostUrl: string,
  wallet: WalletClient,
  chainId: number,
  signatureType: number,
  timeoutMs: number,
): Promise<ApiKeyCreds> {
  const host = hostUrl.replace(/\/+$/, '');
  let got;
  try {
    got = await createOrDeriveCreds(host, wallet, chainId, timeoutMs);
  } catch (err) {
    throw new TraderError(
      `could not create or derive CLOB API credentials from ${host}: ${errorText((err as Error).message)}`,
      'config',
    );
  }
  if ('creds' in got) return got.creds;
  const hint = accountSetupHint(got.error, signatureType);
  throw new TraderError(
    hint ??
      `could not create or derive CLOB API credentials from ${host} (status ${got.status ?? 'none'}: ${errorText(got.error)})`,
    'config',
  );
}
