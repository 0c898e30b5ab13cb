/**
 * The live write-ahead journal (issue #4, design §7; issue #10: it wraps the engine's dispatch):
 * the journal buffer is stored before any order leaves, and journal writes and order sends are
 * serialised on one lane, so a process killed at any point can be resumed from what is stored.
 * A journal write that fails sends nothing: each command is the trader's failed attempt
 * (`venue_unavailable`), retried by its rules.
 */
import type { Logger } from '../platform/logger';
import type { OrderCommand } from '../core/types';
import type { CommandOutlet, WriteAheadGate } from '../engine/engine';
import type { RecordingSink } from '../engine/recording-sink';
import type { Repository } from '../persistence/repository';

/** Options of a {@link WriteAheadJournal}. */
export interface WriteAheadOptions {
  readonly journal: RecordingSink;
  readonly repo: Repository;
  readonly runId: number;
  readonly log: Logger;
  /** Called on each failed journal write (the `flushErrors` counter). */
  readonly onFlushError: () => void;
}

/** One lane of journal writes and order sends. */
export class WriteAheadJournal {
  private io: Promise<void> = Promise.resolve();

  /** Creates the lane; writes nothing. */
  constructor(private readonly o: WriteAheadOptions) {}

  /** The engine's gate: the commands go out once the journal (orders as `pending`) is stored. */
  readonly gate: WriteAheadGate = (cmds: readonly OrderCommand[], out: CommandOutlet): void => {
    const next = this.io.then(async () => {
      try {
        await this.o.journal.flush(this.o.repo, this.o.runId);
      } catch (err) {
        this.o.onFlushError();
        this.o.log.error({ err: (err as Error).message }, 'journal write failed: orders not sent');
        for (const c of cmds) out.fail(c, new Error('journal not written'), 'venue_unavailable');
        return;
      }
      for (const c of cmds) out.submit(c);
    });
    this.io = next.catch((err: unknown) => {
      this.o.log.error({ err: (err as Error).message }, 'order send failed');
    });
  };

  /** Writes the journal buffer now (after the sends queued before it). Never throws. */
  flush(): Promise<void> {
    const next = this.io.then(() => this.o.journal.flush(this.o.repo, this.o.runId));
    this.io = next.catch((err: unknown) => {
      this.o.onFlushError();
      this.o.log.error({ err: (err as Error).message }, 'journal write failed');
    });
    return this.io;
  }

  /** Resolves when every write and send queued so far has been handed over. Never rejects. */
  settled(): Promise<void> {
    return this.io;
  }
}
