/**
 * The approvals an EOA funder sends before trading (issue #8 point 4; polymarket-protocol.md
 * §7.3, §10): `collateral.approve(spender, MAX)` and `CTF.setApprovalForAll(spender, true)` for
 * each V2 spender. `planApprovals` reads what is missing (the same rule as the start-up check,
 * `readiness.ts`); `sendApprovals` sends them one by one and waits for each receipt. Proxy, Safe
 * and deposit wallets approve through the wallet itself, never from here.
 */
import { Contract, MaxUint256, type Signer, type TransactionResponse } from 'ethers';
import { CTF_ABI, ERC20_ABI } from './abi';
import { ChainReader } from './balances';
import { ChainRevertError, classifyChainError } from './errors';

/** One approval transaction to send. */
export interface ApprovalStep {
  /** `collateral`: `approve(spender, MAX)` on the collateral; `ctf`: `setApprovalForAll(spender, true)`. */
  readonly kind: 'collateral' | 'ctf';
  /** The contract the transaction is sent to (collateral or CTF address). */
  readonly contract: string;
  /** The spender/operator approved. */
  readonly spender: string;
}

/** A sent and mined approval. */
export interface SentApproval {
  readonly step: ApprovalStep;
  readonly txHash: string;
  readonly blockNumber: number;
}

/** Inputs of {@link planApprovals}. */
export interface PlanApprovalsOptions {
  /** Reader bound to the CTF and the collateral of the approvals. */
  readonly reader: Pick<ChainReader, 'collateralAllowance' | 'isApprovedForAll'>;
  /** CTF and collateral addresses (the targets of the steps). */
  readonly ctf: string;
  readonly collateral: string;
  /** The funder = the EOA sending the approvals. */
  readonly owner: string;
  readonly spenders: readonly string[];
  /** An allowance at or above this counts as set, micro-USDC (the start-up check's threshold). */
  readonly minAllowanceMicros: bigint;
}

/**
 * Returns the approvals `owner` lacks, in spender order (collateral first, then CTF, per spender);
 * a spender already approved for both is skipped.
 * @throws the reader's classified chain error.
 */
export async function planApprovals(opts: PlanApprovalsOptions): Promise<ApprovalStep[]> {
  const per = await Promise.all(
    opts.spenders.map(async (spender) => {
      const [allowance, approved] = await Promise.all([
        opts.reader.collateralAllowance(opts.owner, spender),
        opts.reader.isApprovedForAll(opts.owner, spender),
      ]);
      const steps: ApprovalStep[] = [];
      if (allowance < opts.minAllowanceMicros)
        steps.push({ kind: 'collateral', contract: opts.collateral, spender });
      if (!approved) steps.push({ kind: 'ctf', contract: opts.ctf, spender });
      return steps;
    }),
  );
  return per.flat();
}

/** Returns the call a step sends, e.g. `approve(0xE111…, MAX) on collateral 0xC011…`. */
export function describeStep(step: ApprovalStep): string {
  return step.kind === 'collateral'
    ? `approve(${step.spender}, MAX) on collateral ${step.contract}`
    : `setApprovalForAll(${step.spender}, true) on CTF ${step.contract}`;
}

/**
 * Sends each step from `wallet` (the EOA funder), one at a time, waiting for its receipt
 * (`timeoutMs` each, default 120 000), and calls `onSent` after each is mined.
 * @throws {ChainRevertError} when a transaction reverts or the node refuses it (no gas).
 * @throws {ChainUnknownOutcomeError} when a transaction was maybe sent but no receipt came back
 *   (its `txHash` when known: check it before running again; re-running skips what is set).
 */
export async function sendApprovals(opts: {
  readonly wallet: Signer;
  readonly steps: readonly ApprovalStep[];
  readonly rpcUrl: string;
  readonly timeoutMs?: number;
  readonly onSent?: (sent: SentApproval) => void;
}): Promise<SentApproval[]> {
  const out: SentApproval[] = [];
  for (const step of opts.steps) {
    const contract =
      step.kind === 'collateral'
        ? new Contract(step.contract, ERC20_ABI, opts.wallet)
        : new Contract(step.contract, CTF_ABI, opts.wallet);
    const op = step.kind === 'collateral' ? 'approve' : 'setApprovalForAll';
    let sent: TransactionResponse | null = null;
    try {
      sent = (await (step.kind === 'collateral'
        ? contract.getFunction('approve').send(step.spender, MaxUint256)
        : contract.getFunction('setApprovalForAll').send(step.spender, true))) as TransactionResponse;
      const receipt = await sent.wait(1, opts.timeoutMs ?? 120_000);
      if (receipt === null) throw new ChainRevertError(`${op} ${sent.hash}: no receipt`);
      const done = { step, txHash: receipt.hash, blockNumber: receipt.blockNumber };
      out.push(done);
      opts.onSent?.(done);
    } catch (err) {
      throw classifyChainError(err, { op, rpcUrl: opts.rpcUrl, write: true, txHash: sent?.hash ?? null });
    }
  }
  return out;
}
