/**
 * A bound on any outbound call (issue #8 point 6): the caller gets an answer or a
 * {@link TimeoutError} within the time given, never a promise that hangs for ever. The work itself
 * is not cancelled unless it honours the `AbortSignal` it is handed.
 */
import { TraderError } from '../core/errors';

/** An outbound call did not answer in time; nothing is known about its effect. */
export class TimeoutError extends TraderError {
  override name = 'TimeoutError';
  /** What timed out (e.g. `GET /data/order`) and the bound, ms. */
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms} ms`, 'retryable');
  }
}

/**
 * Resolves or rejects as `work` does, or rejects with {@link TimeoutError} after `ms` ms.
 * `work` may be a promise, or a function that receives an `AbortSignal` aborted at the timeout
 * (so that a request can be cancelled, not only abandoned).
 * @param ms the bound, ms (> 0).
 * @param what a short label of the call for the error message (no secrets).
 * @throws {TimeoutError} on timeout; otherwise whatever `work` rejects with.
 */
export async function withTimeout<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  ms: number,
  what: string,
): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      ctl.abort();
      fail(new TimeoutError(what, ms));
    }, ms);
  });
  try {
    const p = typeof work === 'function' ? work(ctl.signal) : work;
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
