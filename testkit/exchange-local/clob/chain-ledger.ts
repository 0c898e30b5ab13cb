/**
 * A {@link Ledger} whose balances live on a local EVM (issue #4): collateral is the ERC-20
 * `balanceOf` and outcome tokens the CTF ERC-1155 `balanceOf` of the funder. The exchange's
 * operator account is the counterparty of every change: a debit is pulled from the owner to the
 * operator (ERC-20 `transferFrom` after the owner's `approve(operator)`, ERC-1155
 * `safeTransferFrom` after `setApprovalForAll(operator)`, polymarket-protocol.md §7.3), a credit
 * is paid from the operator's inventory (outcome tokens split at start-up, collateral). Fees stay
 * with the operator: the CLOB's changes are already net of them (§6.7).
 *
 * The CLOB calls the ledger synchronously, so balances are an in-memory view: the last balance
 * read from the chain (`confirmed`) plus changes applied but not yet mined (`pending`). Every
 * {@link ChainLedger.apply} enqueues one settlement; settlements run one at a time, each
 * transaction awaited in order (debits first: a failed pull pays nothing out). A failed settlement
 * is counted, logged without secrets (ids, amounts, a short reason) and the affected owners are
 * re-read from the chain, so the view converges to the chain's truth.
 */
import { Contract, type ContractTransactionResponse, type Wallet } from 'ethers';
import { ChainReader, canonicalTokenId } from '../../../src/chain/balances';
import { classifyChainError } from '../../../src/chain/errors';
import type { Logger } from '../../../src/platform/logger';
import { COLLATERAL, type Ledger, type LedgerChange } from './ledger';

/** ERC-20 fragments the operator uses (the shared `ERC20_ABI` is read-only). */
const ERC20_TRANSFER_ABI = [
  'function transfer(address to, uint256 amount) returns (bool)',
  'function transferFrom(address from, address to, uint256 amount) returns (bool)',
] as const;
/** ERC-1155 fragment the operator uses. */
const ERC1155_TRANSFER_ABI = [
  'function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)',
] as const;

/** Options of {@link ChainLedger}. */
export interface ChainLedgerOptions {
  /** The exchange's operator: a wallet connected to the chain's provider, used by nothing else. */
  readonly operator: Wallet;
  /** RPC URL, only for error messages (redacted). */
  readonly rpcUrl: string;
  /** Collateral ERC-20 address (6 decimals). */
  readonly collateral: string;
  /** ConditionalTokens (ERC-1155) address. */
  readonly conditionalTokens: string;
  /** Every outcome token id the exchange lists (decimal); read when an owner is tracked. */
  readonly tokenIds: readonly string[];
  /** Receives one warning per failed settlement (no keys, no signed payloads). */
  readonly logger?: Logger;
}

/** Settlement counters. */
export interface ChainLedgerStats {
  /** Settlements enqueued (one per non-empty `apply`). */
  settlements: number;
  /** Settlements whose every transaction was mined. */
  confirmed: number;
  /** Settlements that failed (a transaction reverted or was refused). */
  failed: number;
  /** Transactions mined successfully. */
  transactions: number;
}

/** A chain-backed {@link Ledger}; see the module comment. Amounts: number micros in, bigint on chain. */
export class ChainLedger implements Ledger {
  /** Operator address (checksummed): the spender owners approve. */
  readonly operatorAddress: string;
  /** Counters. */
  readonly stats: ChainLedgerStats = { settlements: 0, confirmed: 0, failed: 0, transactions: 0 };
  private readonly reader: ChainReader;
  private readonly erc20: Contract;
  private readonly ctf: Contract;
  private readonly tokenIds: readonly string[];
  private readonly confirmedView = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  /** Lower-cased owners whose chain read was enqueued. */
  private readonly tracked = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  /** Binds the ledger to the contracts and the operator; makes no request. */
  constructor(private readonly opts: ChainLedgerOptions) {
    this.operatorAddress = opts.operator.address;
    this.reader = new ChainReader({
      runner: opts.operator,
      rpcUrl: opts.rpcUrl,
      conditionalTokens: opts.conditionalTokens,
      collateral: opts.collateral,
    });
    this.erc20 = new Contract(opts.collateral, ERC20_TRANSFER_ABI, opts.operator);
    this.ctf = new Contract(opts.conditionalTokens, ERC1155_TRANSFER_ABI, opts.operator);
    this.tokenIds = opts.tokenIds.map(canonicalTokenId);
  }

  /** See {@link Ledger.balance}: the chain balance last read plus unmined changes, micros. */
  balance(owner: string, asset: string): number {
    const k = key(owner, asset);
    return (this.confirmedView.get(k) ?? 0) + (this.pending.get(k) ?? 0);
  }

  /**
   * See {@link Ledger.apply}: updates the view at once and enqueues the on-chain settlement
   * (an owner seen for the first time is read from the chain first).
   * @throws {RangeError} when a delta is not an integer or a balance would go negative.
   * @throws {Error} after {@link close}.
   */
  apply(changes: readonly LedgerChange[]): void {
    if (this.closed) throw new Error('chain ledger is closed');
    const next = new Map<string, number>();
    for (const c of changes) {
      if (!Number.isSafeInteger(c.delta)) throw new RangeError(`ledger delta is not an integer: ${c.delta}`);
      const k = key(c.owner, c.asset);
      const v = (next.get(k) ?? this.balance(c.owner, c.asset)) + c.delta;
      if (v < 0) throw new RangeError(`ledger balance would go negative for ${c.asset}`);
      next.set(k, v);
    }
    const moves = changes.filter((c) => c.delta !== 0);
    if (moves.length === 0) return;
    for (const c of moves) {
      if (this.tracked.has(c.owner.toLowerCase())) continue;
      this.tracked.add(c.owner.toLowerCase());
      this.enqueue(() => this.read(c.owner)).catch((err: unknown) => this.warnRead(c.owner, err));
    }
    for (const c of moves) bump(this.pending, key(c.owner, c.asset), c.delta);
    this.stats.settlements++;
    // Debits first: pulling from the owner must succeed before the operator pays anything.
    const ordered = [...moves.filter((c) => c.delta < 0), ...moves.filter((c) => c.delta > 0)];
    void this.enqueue(() => this.settle(ordered)).catch(() => undefined); // settle() never rejects
  }

  /**
   * Reads the owner's collateral and every listed outcome token from the chain into the view
   * (queued after the settlements enqueued before it). Call it after the owner's balance changed
   * outside the ledger (funding, redeem). Resolves once read.
   * @throws {TraderError} a classified chain error when the read fails.
   */
  track(owner: string): Promise<void> {
    this.tracked.add(owner.toLowerCase());
    return this.enqueue(() => this.read(owner));
  }

  /** See {@link Ledger.refresh}: {@link track}. */
  refresh(owner: string): Promise<void> {
    return this.track(owner);
  }

  /** Resolves when every enqueued settlement and read has finished. Never rejects. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  /** Refuses further changes and waits for the queue to drain. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  /** Runs `job` after everything queued and returns its outcome; the queue itself never rejects. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private warnRead(owner: string, err: unknown): void {
    const why = classifyChainError(err, { op: 'balance read', rpcUrl: this.opts.rpcUrl });
    this.opts.logger?.warn({ owner, reason: why.message }, 'local exchange: chain balance read failed');
  }

  private async read(owner: string): Promise<void> {
    const collateral = await this.reader.collateralBalance(owner);
    const tokens = await this.reader.outcomeBalances(owner, this.tokenIds);
    this.confirmedView.set(key(owner, COLLATERAL), toMicros(collateral));
    for (const [id, v] of tokens) this.confirmedView.set(key(owner, id), toMicros(v));
  }

  private async settle(changes: readonly LedgerChange[]): Promise<void> {
    let i = 0;
    try {
      for (; i < changes.length; i++) {
        const c = changes[i]!;
        await this.transfer(c);
        this.stats.transactions++;
        bump(this.pending, key(c.owner, c.asset), -c.delta);
        bump(this.confirmedView, key(c.owner, c.asset), c.delta);
      }
      this.stats.confirmed++;
    } catch (err) {
      this.stats.failed++;
      const c = changes[i];
      const reason = classifyChainError(err, { op: 'settlement', rpcUrl: this.opts.rpcUrl, write: true });
      this.opts.logger?.warn(
        { owner: c?.owner, asset: c?.asset, deltaMicros: c?.delta, reason: reason.message },
        'local exchange: chain settlement failed; balances re-read from the chain',
      );
      for (const rest of changes.slice(i)) bump(this.pending, key(rest.owner, rest.asset), -rest.delta);
      for (const owner of new Set(changes.map((x) => x.owner))) {
        await this.read(owner).catch((readErr: unknown) => this.warnRead(owner, readErr));
      }
    }
  }

  /** Sends the one transaction a change needs and waits for its receipt. */
  private async transfer(c: LedgerChange): Promise<void> {
    const amount = BigInt(Math.abs(c.delta));
    const op = this.operatorAddress;
    let sent: ContractTransactionResponse;
    if (c.asset === COLLATERAL)
      sent = await (c.delta < 0
        ? this.erc20.getFunction('transferFrom').send(c.owner, op, amount)
        : this.erc20.getFunction('transfer').send(c.owner, amount));
    else {
      const [from, to] = c.delta < 0 ? [c.owner, op] : [op, c.owner];
      sent = await this.ctf
        .getFunction('safeTransferFrom')
        .send(from, to, canonicalTokenId(c.asset), amount, '0x');
    }
    // bounded: a receipt that never comes fails the settlement (re-read from the chain), instead of
    // stalling every later settlement and read behind it
    const receipt = await sent.wait(1, RECEIPT_TIMEOUT_MS);
    if (receipt?.status !== 1) throw new Error(`settlement transaction ${sent.hash} failed`);
  }
}

/** Longest wait for a settlement transaction's receipt, ms. */
const RECEIPT_TIMEOUT_MS = 10_000;

/** View key; token ids in canonical decimal form (any other text is kept as is and stays 0). */
function key(owner: string, asset: string): string {
  let a = asset;
  if (asset !== COLLATERAL && /^(\d+|0x[0-9a-fA-F]+)$/.test(asset)) a = BigInt(asset).toString();
  return `${owner.toLowerCase()}|${a}`;
}

function bump(m: Map<string, number>, k: string, delta: number): void {
  m.set(k, (m.get(k) ?? 0) + delta);
}

/** Converts a chain amount to number micros. @throws {RangeError} beyond 2^53 − 1. */
function toMicros(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`balance ${v} exceeds the safe integer range`);
  return Number(v);
}
