/**
 * Waiting on a condition instead of a fixed sleep (issue #9): polls `cond` until it holds.
 */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  readonly what?: string;
  /** Poll period, ms (default 10). */
  readonly everyMs?: number;
  /** Called on each poll: throw to give up early (e.g. the awaited process exited). */
  readonly abort?: () => void;
  /** Extra text for the timeout message (e.g. a process's output tail). */
  readonly detail?: () => string;
}

/**
 * Resolves once `cond` returns (or resolves to) true; polls every `everyMs`.
 * @throws {Error} naming `what` when `timeoutMs` passes first, or what `abort` throws.
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  o: WaitForOptions = {},
): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await cond()) return;
    o.abort?.();
    if (Date.now() - start > timeoutMs) {
      const extra = o.detail === undefined ? '' : `\n${o.detail()}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${o.what ?? 'a condition'}${extra}`);
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}
