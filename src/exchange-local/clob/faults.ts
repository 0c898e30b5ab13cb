/**
 * Fault switches of the local CLOB (issue #4), each applying to the next `n` `POST /order`
 * requests: FOK kill, an HTTP error (425 / 429 / 500 with the venue's bodies, polymarket-protocol.md
 * §5.7 and probe §4.1), `order_version_mismatch` (probe §4.3), a 500 after the fill (an ambiguous
 * 5xx), and a timeout after the fill (the fill is applied, the socket is held for `holdMs` and then
 * destroyed). `settlementDelayMs` makes
 * balances lag fills. Driven in code or by `POST /_control/fault` (see {@link ClobFaultCommandSchema}).
 */
import { z } from 'zod';

/** HTTP statuses the error switch can answer with. */
export type ClobHttpFault = 425 | 429 | 500;

/** Bodies of the injected HTTP errors. */
export const HTTP_FAULT_BODY: Readonly<Record<ClobHttpFault, { error: string }>> = {
  425: { error: 'service not ready' },
  429: { error: 'Too Many Requests' },
  500: { error: 'could not run the execution' },
};

/** Counters of injected faults. */
export interface ClobFaultStats {
  killed: number;
  httpErrors: number;
  versionMismatches: number;
  timeouts: number;
}

/** Mutable fault state. */
export class ClobFaults {
  private kills = 0;
  private http: ClobHttpFault[] = [];
  private mismatches = 0;
  private timeouts = 0;
  private errorsAfterFill = 0;
  /** How long a timed-out response holds the socket before destroying it, ms. */
  holdMs = 1_000;
  /** Delay between a fill and its balance change, ms (0 = immediate). */
  settlementDelayMs = 0;
  /** Counters. */
  readonly stats: ClobFaultStats = { killed: 0, httpErrors: 0, versionMismatches: 0, timeouts: 0 };

  /** Kills the next `n` orders as unfilled FOKs. */
  killNext(n = 1): void {
    this.kills += n;
  }
  /** Answers the next `n` orders with `status`. */
  httpErrorNext(status: ClobHttpFault, n = 1): void {
    for (let i = 0; i < n; i++) this.http.push(status);
  }
  /** Answers the next `n` orders with 400 `order_version_mismatch`. */
  versionMismatchNext(n = 1): void {
    this.mismatches += n;
  }
  /** Fills the next `n` orders but never answers (socket held `holdMs`, then destroyed). */
  timeoutAfterFillNext(n = 1, holdMs?: number): void {
    this.timeouts += n;
    if (holdMs !== undefined) this.holdMs = holdMs;
  }
  /** Fills the next `n` orders, then answers 500 as if the request had failed (ambiguous 5xx). */
  errorAfterFillNext(n = 1): void {
    this.errorsAfterFill += n;
  }
  /** Clears every switch. */
  reset(): void {
    this.kills = 0;
    this.http = [];
    this.mismatches = 0;
    this.timeouts = 0;
    this.errorsAfterFill = 0;
    this.settlementDelayMs = 0;
  }

  /** Takes the pending HTTP error for this request, if any. */
  takeHttp(): ClobHttpFault | undefined {
    const s = this.http.shift();
    if (s !== undefined) this.stats.httpErrors++;
    return s;
  }
  /** Takes a pending version mismatch. */
  takeMismatch(): boolean {
    if (this.mismatches === 0) return false;
    this.mismatches--;
    this.stats.versionMismatches++;
    return true;
  }
  /** Takes a pending kill. */
  takeKill(): boolean {
    if (this.kills === 0) return false;
    this.kills--;
    this.stats.killed++;
    return true;
  }
  /** Takes a pending 500-after-fill. */
  takeErrorAfterFill(): boolean {
    if (this.errorsAfterFill === 0) return false;
    this.errorsAfterFill--;
    this.stats.httpErrors++;
    return true;
  }
  /** Takes a pending timeout-after-fill. */
  takeTimeout(): boolean {
    if (this.timeouts === 0) return false;
    this.timeouts--;
    this.stats.timeouts++;
    return true;
  }
}

/** CLOB fault commands accepted by `POST /_control/fault` (next to the market-data faults). */
export const ClobFaultCommandSchema = z.discriminatedUnion('fault', [
  z.object({ fault: z.literal('fokKill'), n: z.number().int().positive().optional() }),
  z.object({
    fault: z.literal('httpError'),
    status: z.union([z.literal(425), z.literal(429), z.literal(500)]),
    n: z.number().int().positive().optional(),
  }),
  z.object({ fault: z.literal('versionMismatch'), n: z.number().int().positive().optional() }),
  z.object({ fault: z.literal('errorAfterFill'), n: z.number().int().positive().optional() }),
  z.object({
    fault: z.literal('timeoutAfterFill'),
    n: z.number().int().positive().optional(),
    holdMs: z.number().int().nonnegative().optional(),
  }),
  z.object({ fault: z.literal('settlementDelay'), ms: z.number().int().nonnegative() }),
  z.object({ fault: z.literal('clobReset') }),
]);
/** A parsed CLOB fault command. */
export type ClobFaultCommand = z.infer<typeof ClobFaultCommandSchema>;

/** The CLOB fault names (to route `POST /_control/fault` bodies). */
export const CLOB_FAULT_NAMES: ReadonlySet<string> = new Set([
  'fokKill',
  'httpError',
  'versionMismatch',
  'errorAfterFill',
  'timeoutAfterFill',
  'settlementDelay',
  'clobReset',
]);

/** Applies a parsed command to the switches. */
export function applyClobFault(f: ClobFaults, cmd: ClobFaultCommand): void {
  switch (cmd.fault) {
    case 'fokKill':
      return f.killNext(cmd.n ?? 1);
    case 'httpError':
      return f.httpErrorNext(cmd.status, cmd.n ?? 1);
    case 'versionMismatch':
      return f.versionMismatchNext(cmd.n ?? 1);
    case 'errorAfterFill':
      return f.errorAfterFillNext(cmd.n ?? 1);
    case 'timeoutAfterFill':
      return f.timeoutAfterFillNext(cmd.n ?? 1, cmd.holdMs);
    case 'settlementDelay':
      f.settlementDelayMs = cmd.ms;
      return;
    case 'clobReset':
      return f.reset();
  }
}
