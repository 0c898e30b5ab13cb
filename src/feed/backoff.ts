/** Exponential back-off bounds for reconnects, ms. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Reconnect delay for the `attempt`-th consecutive failure (0-based): `min(maxMs, baseMs × 2^attempt)`
 * scaled by "equal jitter" into `[½, 1)` of that, from `jitter01` ∈ [0, 1) — the randomness is an
 * input, so tests are deterministic (STYLE rule 1). The Rust SDK backs off 1 s → 60 s
 * (polymarket-protocol.md §3.2).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, jitter01: number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  // a jitter source gone wrong (NaN) must not turn into a 1 ms retry loop (issue #9)
  const j = Number.isFinite(jitter01) ? Math.min(Math.max(jitter01, 0), 0.999_999) : 0;
  return Math.round(cap / 2 + (cap / 2) * j);
}
