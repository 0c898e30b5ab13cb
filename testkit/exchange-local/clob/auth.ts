/**
 * Authentication of the local CLOB (clob-v2-local-probe.md §3; polymarket-protocol.md §5.3):
 * L1 = EIP-712 `ClobAuth` signature (API-key create/derive), L2 = HMAC-SHA256 over
 * `timestamp + METHOD + path (no query) + raw body`. Credentials are derived deterministically
 * from a per-exchange seed, the address and the nonce, so derive always returns the same creds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { getAddress, isAddress, verifyTypedData, type Hex } from 'viem';
import type { OrderRules } from './deposit-wallet';

/** The constant L1 message (probe §3.1). */
export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

/** API credentials as the venue returns them (`POST /auth/api-key`). */
export interface ApiCreds {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

/** Who an L2 request belongs to. */
export interface ApiIdentity {
  /** Checksummed signer address. */
  readonly address: string;
  readonly apiKey: string;
  /**
   * Account rules for this key's orders (deposit-wallet-only, bound deposit wallets, ERC-1271
   * verification; issue #8), set by the CLOB per request. Absent: signer = key address, no type 3.
   */
  readonly rules?: OrderRules;
}

/** Deterministic credentials per (seed, address, nonce). */
export function deriveCreds(seed: string, address: string, nonce: string): ApiCreds {
  const h = (tag: string): Buffer =>
    createHmac('sha256', seed).update(`${tag}:${address.toLowerCase()}:${nonce}`).digest();
  const k = h('key').toString('hex');
  return {
    apiKey: `${k.slice(0, 8)}-${k.slice(8, 12)}-4${k.slice(13, 16)}-a${k.slice(17, 20)}-${k.slice(20, 32)}`,
    secret: h('secret').toString('base64url') + '=',
    passphrase: h('pass').toString('hex'),
  };
}

function header(h: IncomingHttpHeaders, name: string): string {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/**
 * Verifies the L1 headers (`POLY_ADDRESS`, `POLY_SIGNATURE`, `POLY_TIMESTAMP`, `POLY_NONCE`)
 * against `ClobAuthDomain` on `chainId`. Returns the checksummed address and nonce, or `null`.
 */
export async function verifyL1(
  h: IncomingHttpHeaders,
  chainId: number,
): Promise<{ address: string; nonce: string } | null> {
  const address = header(h, 'POLY_ADDRESS');
  const signature = header(h, 'POLY_SIGNATURE');
  const timestamp = header(h, 'POLY_TIMESTAMP');
  const nonce = header(h, 'POLY_NONCE') || '0';
  if (!isAddress(address) || !/^0x[0-9a-fA-F]+$/.test(signature) || !/^\d+$/.test(nonce)) return null;
  try {
    const ok = await verifyTypedData({
      address,
      domain: { name: 'ClobAuthDomain', version: '1', chainId },
      types: {
        ClobAuth: [
          { name: 'address', type: 'address' },
          { name: 'timestamp', type: 'string' },
          { name: 'nonce', type: 'uint256' },
          { name: 'message', type: 'string' },
        ],
      },
      primaryType: 'ClobAuth',
      message: { address, timestamp, nonce: BigInt(nonce), message: CLOB_AUTH_MESSAGE },
      signature: signature as Hex,
    });
    return ok ? { address: getAddress(address), nonce } : null;
  } catch {
    return null;
  }
}

/** Returns the L2 HMAC of a request (base64url with `=` kept; probe §3.2). */
export function l2Signature(
  secret: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return createHmac('sha256', key)
    .update(timestamp + method + path + body)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

/**
 * Verifies the L2 headers of a request whose raw body is `body` against the known keys.
 * Returns the caller, or `null` (→ 401). No timestamp freshness window: test clocks differ.
 */
export function verifyL2(
  h: IncomingHttpHeaders,
  method: string,
  path: string,
  body: string,
  keys: ReadonlyMap<string, ApiCreds & { readonly address: string }>,
): ApiIdentity | null {
  const apiKey = header(h, 'POLY_API_KEY');
  const k = keys.get(apiKey);
  if (k === undefined) return null;
  if (header(h, 'POLY_ADDRESS').toLowerCase() !== k.address.toLowerCase()) return null;
  if (header(h, 'POLY_PASSPHRASE') !== k.passphrase) return null;
  const expected = Buffer.from(l2Signature(k.secret, header(h, 'POLY_TIMESTAMP'), method, path, body));
  const got = Buffer.from(header(h, 'POLY_SIGNATURE'));
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return null;
  return { address: k.address, apiKey };
}
