import { createHash } from 'node:crypto';
import type { Side, WindowRef } from './types';

/** Returns the window's market slug, e.g. `btc-updown-15m-1766745000` (design §1). */
export function windowSlug(w: WindowRef): string {
  return `${w.crypto.toLowerCase()}-updown-${intervalLabel(w.windowSec)}-${w.windowEpoch}`;
}

/** Returns the interval label of a window length in seconds: 300 → `5m`, 3600 → `1h`. */
export function intervalLabel(windowSec: number): string {
  if (windowSec % 3600 === 0) return `${windowSec / 3600}h`;
  if (windowSec % 60 === 0) return `${windowSec / 60}m`;
  return `${windowSec}s`;
}

/** Returns a stable key for a window: `BTC:900:1766745000`. */
export function windowKey(w: WindowRef): string {
  return `${w.crypto}:${w.windowSec}:${w.windowEpoch}`;
}

/**
 * Returns a synthetic, stable token id for one side of a recorded window: a uint256 decimal
 * string (the shape of real CLOB token ids) from SHA-256 of `<slug>:<side>`. Recordings do not
 * carry token ids (issue #2), so replays derive them.
 */
export function syntheticTokenId(w: WindowRef, side: Side): string {
  const h = createHash('sha256')
    .update(`${windowSlug(w)}:${side}`)
    .digest('hex');
  return BigInt('0x' + h).toString(10);
}

/** Returns a synthetic, stable condition id (`0x` + 64 hex) for a recorded window. */
export function syntheticConditionId(w: WindowRef): string {
  return (
    '0x' +
    createHash('sha256')
      .update(`condition:${windowSlug(w)}`)
      .digest('hex')
  );
}

/**
 * Returns the position key `${strategy}_${crypto}_${interval}_${windowEpoch}`, e.g.
 * `momentum_BTC_15m_1766745000` (design §3; the interval is {@link intervalLabel} of the window
 * length, so a 15m and a 1h window starting at the same second never share a key, issue #9
 * "Inputs"); the n-th (n ≥ 2) position of the same strategy in the same window, opened after a
 * reversal, gets `_n`. Keys written before issue #9 lacked the interval; migration
 * `20261210000001_position_key_interval` rewrites them.
 */
export function positionKey(strategy: string, w: WindowRef, seq = 1): string {
  const base = `${strategy}_${w.crypto}_${intervalLabel(w.windowSec)}_${w.windowEpoch}`;
  return seq <= 1 ? base : `${base}_${seq}`;
}

/**
 * The inverse of {@link positionKey}: the n of a key of `strategy` in window `w` (1 for the
 * base key), or `null` when the key is not one of theirs (another window length, epoch, crypto
 * or strategy).
 */
export function positionKeySeq(key: string, strategy: string, w: WindowRef): number | null {
  const base = positionKey(strategy, w, 1);
  if (key === base) return 1;
  if (!key.startsWith(`${base}_`)) return null;
  const digits = key.slice(base.length + 1);
  if (!/^[1-9]\d*$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n >= 2 ? n : null;
}

/** Suffixes of a client order id after its position key: `:entry` or `:exit:<round>.<attempt>`. */
const CLIENT_ORDER_SUFFIX = /:(?:entry|exit:\d+\.\d+)$/;

/**
 * Returns the position key a client order id was built from (`${positionKey}:entry` or
 * `${positionKey}:exit:<round>.<attempt>`, core/types `OrderCommand`), or `null` when the id has
 * neither suffix. Strips the suffix rather than cutting at the first `:`, so a strategy name
 * holding a `:` still maps back to its key.
 */
export function positionKeyOfClientOrderId(clientOrderId: string): string | null {
  const m = CLIENT_ORDER_SUFFIX.exec(clientOrderId);
  return m === null || m.index === 0 ? null : clientOrderId.slice(0, m.index);
}
