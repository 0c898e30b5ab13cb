/**
 * The live-trading gate (issue #4): `trade --mode live` starts only with an explicit confirmation,
 * a key, the size within the hard cap and the risk limits set. Each refusal is one line saying what
 * to set. Pure: reads the frozen config only.
 */
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
  if (cfg.SIGNATURE_TYPE === 3)
    out.push('SIGNATURE_TYPE 3 (POLY_1271) is not supported by the CLOB client: use 0, 1 or 2');
  if ((cfg.SIGNATURE_TYPE === 1 || cfg.SIGNATURE_TYPE === 2) && cfg.FUNDER_ADDRESS === '') {
    out.push(
      `SIGNATURE_TYPE ${cfg.SIGNATURE_TYPE} signs for a proxy/Safe: set FUNDER_ADDRESS to that wallet's address`,
    );
  }
  return out;
}
