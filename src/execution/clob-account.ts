/**
 * The account side of the CLOB venue (issue #8): balances the venue sees (collateral with its
 * allowances; a token before a SELL) and what a refusal says about the account's set-up (a
 * one-line hint naming the setting to change, reported once). Every request is bounded by the
 * venue's timeout (`ClobHttp`).
 */
import { AssetType } from '@polymarket/clob-client-v2';
import { TraderError } from '../core/errors';
import { MICROS } from '../core/money';
import type { FailureCause, OrderCommand } from '../core/types';
import { accountSetupHint } from './account-errors';
import type { ClobHttp } from './clob-http';
import { errorText, type NonFill } from './clob-outcome';
import { SELL_SHARE_STEP } from './pricing';
import { bigintOf } from './clob-setup';

/** Collateral as the venue sees it (`GET /balance-allowance`, COLLATERAL). */
export interface CollateralView {
  /** Balance, micro-USDC. */
  readonly balance: bigint;
  /** Allowance per spender address, micro-USDC (`allowances`, or `allowance` under key `""`). */
  readonly allowances: Record<string, bigint>;
}

/** A venue refusal as the account sees it: its reason and cause. */
export interface Refusal {
  readonly reason: string;
  readonly cause: FailureCause;
}

/** Failure of a call before anything was posted: no order can exist. */
export class NotSentError extends TraderError {
  override name = 'NotSentError';
  constructor(message: string) {
    super(message, 'retryable');
  }
}

/** Balances and set-up checks of one account (signature type as configured). */
export class ClobAccount {
  private readonly balances = new Map<string, number>();
  private setupErrorSent = false;

  constructor(
    private readonly http: ClobHttp,
    private readonly signatureType: number,
    private readonly onSetupError?: (hint: string) => void,
  ) {}

  /** Shares of a token at the last balance refresh, micro-shares (0 = never read). */
  balance(tokenId: string): number {
    return this.balances.get(tokenId) ?? 0;
  }

  /** Shares of a token at the last refresh, micro-shares; `undefined` when never read. */
  measured(tokenId: string): number | undefined {
    return this.balances.get(tokenId);
  }

  /**
   * Asks the venue to refresh its view of the collateral (`GET /balance-allowance/update`), then
   * reads it: what the venue sees for the funder (issue #8 start-up check).
   * @throws {TimeoutError} when the venue does not answer in time; {@link TraderError}
   * (`retryable`) when it answers with an error or no balance.
   */
  async updateCollateral(): Promise<CollateralView> {
    const params = { asset_type: AssetType.COLLATERAL };
    await this.http.balanceAllowance(params, this.signatureType, true);
    const r = await this.http.balanceAllowance(params, this.signatureType);
    const balance = bigintOf(r.balance);
    if ('error' in r || balance === null)
      throw new TraderError(`collateral not readable: ${errorText(r.error ?? r)}`, 'retryable');
    const allowances: Record<string, bigint> = {};
    if (r.allowances !== null && typeof r.allowances === 'object')
      for (const [spender, v] of Object.entries(r.allowances as Record<string, unknown>)) {
        const a = bigintOf(v);
        if (a !== null) allowances[spender] = a;
      }
    const single = bigintOf(r.allowance);
    if (single !== null) allowances[''] = single;
    return { balance, allowances };
  }

  /**
   * Refreshes the venue's view of a token balance, then reads it (design §7: a SELL sells what
   * the venue measures).
   * @throws {NotSentError} when the venue answers with an error; {@link TimeoutError} when late.
   */
  async refreshToken(tokenId: string): Promise<void> {
    const params = { asset_type: AssetType.CONDITIONAL, token_id: tokenId };
    const up = await this.http.balanceAllowance(params, this.signatureType, true);
    if ('error' in up && typeof up.status !== 'number') throw new NotSentError(errorText(up.error));
    const b = await this.http.balanceAllowance(params, this.signatureType);
    if ('error' in b && typeof b.status !== 'number') throw new NotSentError(errorText(b.error));
    const v = typeof b.balance === 'string' && /^\d+$/.test(b.balance) ? Number(b.balance) : undefined;
    if (v !== undefined) this.balances.set(tokenId, v);
  }

  /**
   * The cause of a refusal the venue answered (issue #8): account set-up (one-line hint, reported
   * once through `onSetupError`), a SELL's balance refusal (settlement pending), else `fallback`.
   */
  async refusal(side: 'BUY' | 'SELL', venueText: string, fallback: Refusal): Promise<Refusal> {
    const balanceRefusal = /not enough balance/i.test(venueText);
    if (balanceRefusal && side === 'SELL') return { reason: fallback.reason, cause: 'settlement_pending' };
    let allowance: bigint | undefined;
    if (balanceRefusal) {
      try {
        const c = await this.updateCollateral();
        const values = Object.values(c.allowances);
        if (values.length > 0) allowance = values.reduce((a, b) => (b > a ? b : a), 0n);
      } catch {
        // the allowance stays unknown: not called a set-up error
      }
    }
    const hint = accountSetupHint(
      venueText,
      this.signatureType,
      allowance === undefined ? { side } : { side, allowance },
    );
    if (hint === null) return fallback;
    if (!this.setupErrorSent) {
      this.setupErrorSent = true;
      this.onSetupError?.(hint);
    }
    return { reason: hint, cause: 'account_setup' };
  }

  /**
   * Sizes a SELL to the balance the venue measures (design §7), but only when it differs from
   * the held shares by rounding (< 0.01 share): more missing means a fill still settling, and
   * selling short would orphan the rest; the round retries instead. Returns the command to send
   * (`amount` = its shares, micro-shares) or why it is not sent.
   */
  async sizeSell(cmd: OrderCommand, amount: number): Promise<{ cmd: OrderCommand } | NonFill> {
    try {
      await this.refreshToken(cmd.tokenId);
    } catch (err) {
      return {
        kind: 'rejected',
        reason: `balance not read, not sent: ${errorText((err as Error).message)}`,
        cause: 'venue_unavailable',
      };
    }
    const measured = this.measured(cmd.tokenId);
    if (measured === undefined || measured >= amount) return { cmd };
    const shares = measured - (measured % SELL_SHARE_STEP);
    if (amount - measured >= SELL_SHARE_STEP || shares <= 0)
      return {
        kind: 'rejected',
        reason: `not enough balance: the venue measures ${measured / MICROS} of ${amount / MICROS} shares (settlement pending?)`,
        cause: 'settlement_pending',
      };
    return { cmd: { ...cmd, shares } };
  }
}
