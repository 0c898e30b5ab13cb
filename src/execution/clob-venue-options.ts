/**
 * Options of the CLOB venue (issues #4, #8, #10): endpoint and chain, the signing key and account
 * set-up, timeouts and retries, the clocks and random source, and the hooks the live runtime uses.
 */
import type { ApiKeyCreds } from '@polymarket/clob-client-v2';
import type { LocalAccount } from 'viem';
import type { Clock } from '../core/clock';
import type { Logger } from '../platform/logger';

/** Options of {@link ClobVenue.create}. */
export interface ClobVenueOptions {
  /** CLOB base URL, e.g. `http://127.0.0.1:8080`. */
  readonly host: string;
  /** 137 (Polygon) or 80002 (Amoy): the only chains the client signs for (probe §6). */
  readonly chainId: 137 | 80002;
  /** Signing key as a viem local account (the private key stays inside it). */
  readonly account: LocalAccount;
  /** API credentials; created, or derived when they exist, with an L1 signature when absent. */
  readonly creds?: ApiKeyCreds;
  /** 0 EOA (default), 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (deposit wallet; issue #8). */
  readonly signatureType?: 0 | 1 | 2 | 3;
  /** Funder (maker) address for signature types 1/2; the deposit wallet for type 3 (maker = signer). */
  readonly funder?: string;
  /** Current tick of a token, micro-USDC (from the live book); default: the client's market cache. */
  readonly tickSizeOf?: (tokenId: string) => number | undefined;
  /**
   * Bound of every outbound request, ms (default 5000): a post without an answer by then is
   * `unknown`; any other call failing by then is a `venue_unavailable` failure.
   */
  readonly requestTimeoutMs?: number;
  /**
   * After a post timed out, how much longer a `404` from `GET /data/order/:id` may still mean "in
   * flight", ms (default max(1000, requestTimeoutMs)); after it the 404 is final (never reached).
   */
  readonly inFlightGraceMs?: number;
  /** Retries of not-processed posts (default 3) and backoff bounds in ms (default 50…1000). */
  readonly retry?: { readonly retries: number; readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  /** The trader's clock: the time stamped on venue events (default: the system clock). */
  readonly clock?: Clock;
  /**
   * The wall clock (default: the system clock): each order's signed `timestamp` and salt, and
   * the signing time of attempts (the in-flight grace of a 404).
   */
  readonly wall?: Clock;
  /** Random source in [0, 1) of order salts (default `Math.random`, from `platform/`). */
  readonly random?: () => number;
  /**
   * Called with each signed attempt's order id (EIP-712 hash) and wall signing time (ms) before
   * it is posted, and awaited: the live trader persists it so that a restarted process can query
   * the venue about it. When it rejects, the order is not posted (outcome `rejected`).
   */
  readonly beforePost?: (clientOrderId: string, orderId: string, signedMs: number) => Promise<void>;
  /**
   * Called once, with a one-line hint naming the setting to change, when the venue refuses the
   * account's set-up (maker not allowed, signer ≠ API key, invalid signature, no allowance…;
   * issue #8): the live runtime stops the trader with that line instead of retrying.
   */
  readonly onAccountSetupError?: (hint: string) => void;
  /** Receives one line per outcome: ids, kind, reason — never credentials. */
  readonly logger?: Logger;
  /**
   * Called with each POST's latencies, ms (issue #13 histograms): `decision_to_post` from
   * `submit` to the POST sent (building, signing, the write-ahead store, earlier attempts) and
   * `round_trip` from the POST sent to its answer (or its timeout).
   */
  readonly onLatency?: (kind: 'decision_to_post' | 'round_trip', ms: number) => void;
  /** A monotonic clock for those latencies, ms (default `performance.now`). */
  readonly monotonic?: () => number;
}

/** Default bound of every outbound request, ms (`requestTimeoutMs`). */
export const DEFAULT_TIMEOUT_MS = 5_000;
