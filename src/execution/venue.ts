/**
 * The execution port (design §2): implemented by the simulated venue and (issue #4) the CLOB
 * venue; the trader cannot tell which it has. Outcomes arrive as `VenueEvent`s through the
 * listener — filled, killed, rejected or unknown — never as thrown errors for expected failures.
 */
import type { OrderCommand, VenueEvent } from '../core/types';

/** A venue that executes order commands. */
export interface ExecutionVenue {
  /** Short name for logs and parity records, e.g. `sim`. */
  readonly name: string;
  /** Sets the receiver of outcomes; it may be called synchronously from `submit`. */
  setListener(listener: (ev: VenueEvent) => void): void;
  /**
   * Sends a command. Expected failures come back as events.
   * @throws only when the command could not be handed to the venue at all (the caller records a
   * failed attempt; see `LiveTrader.onSubmitError`).
   */
  submit(cmd: OrderCommand): void;
}
