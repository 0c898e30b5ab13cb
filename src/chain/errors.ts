/**
 * Errors of the chain edge (reads, redeem, local chain), classified by what the caller must do
 * (STYLE.md rule 5). Messages name the operation and the RPC endpoint (credentials in the URL
 * redacted) and never carry a private key, a mnemonic or a signed payload: only ethers'
 * `shortMessage`/`code` is copied, the full ethers error stays in `cause`.
 */
import { isError } from 'ethers';
import { TraderError } from '../core/errors';

/** Where a chain error happened: the operation and the endpoint it was sent to. */
export interface ChainErrorContext {
  /** Operation name, e.g. `balanceOfBatch` or `redeemPositions`. */
  readonly op: string;
  /** RPC URL; redacted with `redactRpcUrl` before it reaches a message. */
  readonly rpcUrl: string;
}

/** The RPC endpoint could not be reached or timed out; nothing was changed. Retry later. */
export class ChainNetworkError extends TraderError {
  override name = 'ChainNetworkError';
  /** Creates a retryable network error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'retryable', options);
  }
}

/** The call or transaction reverted, or was refused by the node; retrying as is fails again. */
export class ChainRevertError extends TraderError {
  override name = 'ChainRevertError';
  /** Creates a rejected-call error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'rejected', options);
  }
}

/**
 * A transaction may or may not have been mined (network failure after submit, or a wait timeout).
 * The caller must query the chain (receipt by `txHash` when known, or balances) before retrying.
 */
export class ChainUnknownOutcomeError extends TraderError {
  override name = 'ChainUnknownOutcomeError';
  /** Hash of the submitted transaction, when it was submitted. */
  readonly txHash: string | null;
  /** Creates an unknown-outcome error. */
  constructor(message: string, txHash: string | null, options?: { cause?: unknown }) {
    super(message, 'unknown_outcome', options);
    this.txHash = txHash;
  }
}

/** A redeem was asked for a condition the oracle has not resolved yet (protocol doc §7.6). */
export class ConditionNotResolvedError extends TraderError {
  override name = 'ConditionNotResolvedError';
  /** The condition id (bytes32 hex). */
  readonly conditionId: string;
  /** Creates a rejected not-resolved error. */
  constructor(conditionId: string) {
    super(`condition ${conditionId} is not resolved yet (payoutDenominator = 0)`, 'rejected');
    this.conditionId = conditionId;
  }
}

/**
 * A redeem was asked for a neg-risk market: those redeem through the NegRisk Adapter
 * (polymarket-protocol.md §7.6), which this trader does not drive; up/down windows are not
 * neg-risk (§2.3), so such a market should never have been traded (issue #8 point 7).
 */
export class NegRiskRedeemError extends TraderError {
  override name = 'NegRiskRedeemError';
  /** The market named in the message (slug or condition id). */
  readonly market: string;
  /** Creates a rejected neg-risk refusal naming the market. */
  constructor(market: string) {
    super(
      `market ${market} is neg-risk: its positions redeem through the NegRisk Adapter, which this trader does not handle; redeem it in the Polymarket UI`,
      'rejected',
    );
    this.market = market;
  }
}

/** The node answered with data that does not fit the ABI or the protocol (a bug or a wrong address). */
export class ChainDataError extends TraderError {
  override name = 'ChainDataError';
  /** Creates an invariant error about unexpected chain data. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'invariant', options);
  }
}

/**
 * Returns the RPC URL safe to print: scheme, host and port only, with `/…` when a path was
 * present (hosted providers put API keys in the path or query) and user info dropped.
 * Returns `"<invalid rpc url>"` when the text is not a URL.
 */
export function redactRpcUrl(rpcUrl: string): string {
  try {
    const u = new URL(rpcUrl);
    const hasPath = (u.pathname !== '' && u.pathname !== '/') || u.search !== '';
    return `${u.protocol}//${u.host}${hasPath ? '/…' : ''}`;
  } catch {
    return '<invalid rpc url>';
  }
}

/**
 * Network-level codes: ethers' own, and Node socket errors ethers passes through unwrapped
 * (a refused connection surfaces as a plain `Error` with `code: 'ECONNREFUSED'`).
 */
const NETWORK_CODES = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'SERVER_ERROR',
  'UNKNOWN_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** Node-level refusals that a retry does not fix. */
const REJECT_CODES = new Set([
  'CALL_EXCEPTION',
  'INSUFFICIENT_FUNDS',
  'NONCE_EXPIRED',
  'REPLACEMENT_UNDERPRICED',
  'INVALID_ARGUMENT',
  'UNSUPPORTED_OPERATION',
  'ACTION_REJECTED',
]);

/** Returns ethers' short message (never the payload) or the error's first line, capped at 200 chars. */
function shortReason(err: unknown): string {
  let text: string;
  if (
    err !== null &&
    typeof err === 'object' &&
    'shortMessage' in err &&
    typeof err.shortMessage === 'string'
  )
    text = err.shortMessage;
  else if (err instanceof Error) text = err.message.split('\n')[0] ?? err.name;
  else text = String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Returns the ethers error code of `err`, or `null` when it has none. */
function codeOf(err: unknown): string | null {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string')
    return err.code;
  return null;
}

/**
 * Maps an ethers (or fetch) error to the project's classification:
 * revert/refusal → `ChainRevertError` (rejected); network/timeout → `ChainNetworkError`
 * (retryable) for reads, `ChainUnknownOutcomeError` for writes (`write: true`, the transaction
 * may have been broadcast); anything else (BAD_DATA, …) → `ChainDataError` (invariant).
 * A `TraderError` passes through unchanged.
 */
export function classifyChainError(
  err: unknown,
  ctx: ChainErrorContext & { readonly write?: boolean; readonly txHash?: string | null },
): TraderError {
  if (err instanceof TraderError) return err;
  const where = `${ctx.op} at ${redactRpcUrl(ctx.rpcUrl)}`;
  const code = codeOf(err);
  const reason = shortReason(err);
  if (isError(err, 'CALL_EXCEPTION') || (code !== null && REJECT_CODES.has(code)))
    return new ChainRevertError(`${where} rejected: ${reason}`, { cause: err });
  const network =
    (code !== null && NETWORK_CODES.has(code)) || (err instanceof TypeError && /fetch/i.test(err.message));
  if (network || ctx.write === true) {
    if (ctx.write === true)
      return new ChainUnknownOutcomeError(`${where}: outcome unknown (${reason})`, ctx.txHash ?? null, {
        cause: err,
      });
    return new ChainNetworkError(`${where} failed: ${reason}`, { cause: err });
  }
  return new ChainDataError(`${where} returned unusable data: ${reason}`, { cause: err });
}
