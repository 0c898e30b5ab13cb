/** Venue wrappers that fail in controlled ways, around the real simulated venue. */
import type { BookStore } from '../../src/book/book-store';
import type { VirtualClock } from '../../src/core/clock';
import type { FailureCause, OrderCommand, VenueEvent } from '../../src/core/types';
import { SimVenue } from '../../src/execution/sim-venue';
import type { ExecutionVenue } from '../../src/execution/venue';

/** A zero-latency, fee-free simulated venue over the engine's books. */
export function simOver(books: BookStore, clock: VirtualClock): SimVenue {
  return new SimVenue({
    bookOf: (id) => books.find(id),
    clock,
    latencyMs: 0,
    fee: { rate: 0, exponent: 1 },
    minNotional: 1_000_000,
  });
}

/** Throws on every SELL submit; BUYs go to the simulated venue. */
export class ThrowingSellVenue implements ExecutionVenue {
  readonly name = 'throwing-sell';
  sellSubmits = 0;
  constructor(private readonly inner: SimVenue) {}
  setListener(l: (ev: VenueEvent) => void): void {
    this.inner.setListener(l);
  }
  submit(cmd: OrderCommand): void {
    if (cmd.side === 'SELL') {
      this.sellSubmits += 1;
      throw new Error('venue unreachable');
    }
    this.inner.submit(cmd);
  }
}

/** Answers the first `n` SELLs with `kind` (killed or rejected), then delegates. */
export class FailFirstSellsVenue implements ExecutionVenue {
  readonly name = 'fail-first-sells';
  private listener: (ev: VenueEvent) => void = () => undefined;
  sells: OrderCommand[] = [];
  constructor(
    private readonly inner: SimVenue,
    private n: number,
    private readonly kind: 'killed' | 'rejected' = 'killed',
    private readonly clock?: VirtualClock,
  ) {}
  setListener(l: (ev: VenueEvent) => void): void {
    this.listener = l;
    this.inner.setListener(l);
  }
  submit(cmd: OrderCommand): void {
    if (cmd.side === 'SELL') this.sells.push(cmd);
    if (cmd.side === 'SELL' && this.n > 0) {
      this.n -= 1;
      this.listener({
        kind: this.kind,
        clientOrderId: cmd.clientOrderId,
        tsMs: this.clock?.now() ?? cmd.createdMs,
        reason: 'test',
      });
      return;
    }
    this.inner.submit(cmd);
  }
}

/** Kills the first `n` BUYs (entries), then delegates; records every command. */
export class KillFirstBuysVenue implements ExecutionVenue {
  readonly name = 'kill-first-buys';
  private listener: (ev: VenueEvent) => void = () => undefined;
  readonly commands: OrderCommand[] = [];
  constructor(
    private readonly inner: SimVenue,
    private n: number,
  ) {}
  setListener(l: (ev: VenueEvent) => void): void {
    this.listener = l;
    this.inner.setListener(l);
  }
  submit(cmd: OrderCommand): void {
    this.commands.push(cmd);
    if (cmd.side === 'BUY' && this.n > 0) {
      this.n -= 1;
      this.listener({
        kind: 'killed',
        clientOrderId: cmd.clientOrderId,
        tsMs: cmd.createdMs,
        reason: 'test',
      });
      return;
    }
    this.inner.submit(cmd);
  }
}

/** One scripted answer to a SELL: killed or rejected, with the venue's failure `cause` (issue #8). */
export interface ScriptedFailure {
  readonly kind: 'killed' | 'rejected';
  readonly cause?: FailureCause;
}

/** Answers the SELLs in order with `script` (then delegates); records every SELL. */
export class ScriptedSellsVenue implements ExecutionVenue {
  readonly name = 'scripted-sells';
  private listener: (ev: VenueEvent) => void = () => undefined;
  readonly sells: OrderCommand[] = [];
  private next = 0;
  constructor(
    private readonly inner: SimVenue,
    private readonly script: readonly ScriptedFailure[],
    private readonly clock: VirtualClock,
  ) {}
  setListener(l: (ev: VenueEvent) => void): void {
    this.listener = l;
    this.inner.setListener(l);
  }
  submit(cmd: OrderCommand): void {
    if (cmd.side === 'SELL') this.sells.push(cmd);
    const f = cmd.side === 'SELL' ? this.script[this.next] : undefined;
    if (f === undefined) {
      this.inner.submit(cmd);
      return;
    }
    this.next += 1;
    this.listener({
      kind: f.kind,
      clientOrderId: cmd.clientOrderId,
      tsMs: this.clock.now(),
      reason: `test ${f.cause ?? 'market'}`,
      ...(f.cause !== undefined ? { cause: f.cause } : {}),
    });
  }
}

/** Answers the first `n` BUYs with `unknown` (the POST timed out) and never more; then delegates. */
export class SilentBuysVenue implements ExecutionVenue {
  readonly name = 'silent-buys';
  private listener: (ev: VenueEvent) => void = () => undefined;
  readonly buys: OrderCommand[] = [];
  constructor(
    private readonly inner: SimVenue,
    private n: number,
    private readonly clock: VirtualClock,
  ) {}
  setListener(l: (ev: VenueEvent) => void): void {
    this.listener = l;
    this.inner.setListener(l);
  }
  submit(cmd: OrderCommand): void {
    if (cmd.side === 'BUY') this.buys.push(cmd);
    if (cmd.side === 'BUY' && this.n > 0) {
      this.n -= 1;
      this.listener({
        kind: 'unknown',
        clientOrderId: cmd.clientOrderId,
        tsMs: this.clock.now(),
        reason: 'timeout',
      });
      return;
    }
    this.inner.submit(cmd);
  }
}
