/**
 * The live-trading gate (issue #4): `trade --mode live` starts only with an explicit confirmation,
 * a key, the size within the hard cap, a size that can sell at its stop loss (issue #8 point 5),
 * the risk limits set and a funder for signature types 1–3. Each refusal is one line saying what
 * to set. Pure: reads the frozen config only.
 */
import { formatMicros, MICROS } from '../core/money';
import { sellableShares } from '../execution/pricing';
import { canExitAtStop, smallestExitableSize, worstStopExit } from './min-size';
import type { Config } from './schema';

/** The value LIVE_CONFIRM must have. */
export const LIVE_CONFIRM_PHRASE = 'yes-trade-real-money';

/** Returns the refusals (empty when live trading may start). Never includes a secret's value. */
export function liveGateRefusals(cfg: Config): string[] {
  const out: string[] = [];
  if (cfg.LIVE_CONFIRM !== LIVE_CONFIRM_PHRASE) {
    out.push(`live trading needs an explicit confirmation: set LIVE_CONFIRM=${LIVE_CONFIRM_PHRASE}`);
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(cfg.PRIVATE_KEY)) {
    out.push('live trading needs the signing key: set PRIVATE_KEY (0x followed by 64 hex digits)');
  }
  if (cfg.POSITION_SIZE_USDC > cfg.MAX_POSITION_USDC) {
    out.push(
      `POSITION_SIZE_USDC (${cfg.POSITION_SIZE_USDC}) is above the live cap MAX_POSITION_USDC (${cfg.MAX_POSITION_USDC}): lower POSITION_SIZE_USDC`,
    );
  }
  if (cfg.DAILY_LOSS_LIMIT_USDC <= 0) {
    out.push('live trading needs a daily loss limit: set DAILY_LOSS_LIMIT_USDC (e.g. 5)');
  }
  if (cfg.MAX_OPEN_POSITIONS <= 0)
    out.push('live trading needs a position cap: set MAX_OPEN_POSITIONS (e.g. 2)');
  if (cfg.RPC_URL === '')
    out.push('live trading reconciles balances on chain: set RPC_URL (a Polygon JSON-RPC URL)');
  const stop = stopLossRefusal(cfg);
  if (stop !== null) out.push(stop);
  if (cfg.SIGNATURE_TYPE === 3 && cfg.FUNDER_ADDRESS === '') {
    out.push(
      "SIGNATURE_TYPE 3 (POLY_1271) signs for a deposit wallet: set FUNDER_ADDRESS to your deposit wallet's address (the address polymarket.com shows for your account)",
    );
  } else if ((cfg.SIGNATURE_TYPE === 1 || cfg.SIGNATURE_TYPE === 2) && cfg.FUNDER_ADDRESS === '') {
    out.push(
      `SIGNATURE_TYPE ${cfg.SIGNATURE_TYPE} signs for a proxy/Safe: set FUNDER_ADDRESS to that wallet's address`,
    );
  }
  return out;
}

/**
 * The refusal of a POSITION_SIZE_USDC whose stop-loss sale would be under the venue minimum
 * (issue #8 point 5, `min-size.ts`), naming the worst case and the smallest size that works;
 * `null` when the size can exit at the stop for every entry price the strategies allow.
 */
export function stopLossRefusal(cfg: Config): string | null {
  const size = Math.round(cfg.POSITION_SIZE_USDC * MICROS);
  if (canExitAtStop(cfg, size)) return null;
  const worst = worstStopExit(cfg, size);
  const smallest = smallestExitableSize(cfg);
  const f = (micros: number): string => formatMicros(micros);
  const why =
    worst === null
      ? 'its sale is below the venue minimum'
      : `bought at ${f(worst.entryPrice)}, the stop fires at a bid of ${f(worst.bid)} and selling ${f(
          sellableShares(worst.shares),
        )} shares at ${f(worst.salePrice)} brings ${f(worst.saleNotional)} USDC, below MIN_ORDER_NOTIONAL_USDC ${
          cfg.MIN_ORDER_NOTIONAL_USDC
        }`;
  const fix = Number.isFinite(smallest)
    ? `the smallest size that can is ${smallest} USDC: set POSITION_SIZE_USDC and MAX_POSITION_USDC to at least ${smallest}`
    : "no size can: lower EXIT_PRICE_BUFFER or STOP_LOSS_PCT, or raise the strategies' minPrice";
  return `POSITION_SIZE_USDC ${cfg.POSITION_SIZE_USDC} cannot exit at the stop loss: ${why}; ${fix}`;
}
