import type { StrategyConfig } from '../config/strategies';
import { CrashReboundStrategy } from './crash-rebound';
import { MomentumStrategy } from './momentum';
import type { Strategy } from './strategy';

/** Creates strategy instances from config, in the configured order. */
export function createStrategies(configs: readonly StrategyConfig[]): Strategy[] {
  return configs.map((c) => (c.type === 'momentum' ? new MomentumStrategy(c) : new CrashReboundStrategy(c)));
}
