/**
 * Exit thresholds as fractions (design §5 constants; configurable, see `.env.example`).
 * Every rule compares integer micro-USDC prices with `Math.round` of entry/HWM × factor (issue #2).
 */
export interface ExitThresholds {
  readonly STOP_LOSS_PCT: number;
  readonly TRAILING_ACTIVATION_PCT: number;
  readonly TRAILING_STOP_PCT: number;
  readonly MIN_PROFIT_FLOOR_PCT: number;
  readonly UPDATE_HWM_THRESHOLD: number;
  readonly MIN_PROFIT_TO_REVERSE: number;
  readonly BLOCK_IF_LOSING: boolean;
}
