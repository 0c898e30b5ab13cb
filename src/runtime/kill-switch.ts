/**
 * The kill switch of `trade` (issue #4): while `KILL_SWITCH_FILE` exists, or after SIGUSR2, no
 * new entry is sent; a file containing `flatten` also turns the trader's flatten mode on: it sells
 * every position and keeps selling until each is closed or held with a reason (issue #8 point 13).
 * Removing the file ends both. Checked by the caller (every second); logs each change.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../platform/logger';

/** What the switch drives. */
export interface KillTarget {
  /** Whether entries are stopped now. */
  readonly killed: boolean;
  setKill(on: boolean): void;
  /** Turns flatten on: sells every position now and on every tick until each is closed. */
  flatten(): void;
  /** Turns flatten off. */
  stopFlatten?(): void;
}

/** Watches the kill-switch file and SIGUSR2. */
export class KillSwitchWatch {
  private bySignal = false;
  private flattened = false;
  private readonly onSignal = (): void => {
    this.bySignal = true;
    this.log.warn('kill switch engaged by SIGUSR2: no new entries');
  };

  /** Starts listening for SIGUSR2. */
  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly target: KillTarget,
  ) {
    process.on('SIGUSR2', this.onSignal);
  }

  /** Applies the file's and the signal's state to the target. */
  check(): void {
    const file = existsSync(this.file);
    const kill = this.bySignal || file;
    if (kill !== this.target.killed) {
      this.target.setKill(kill);
      this.log.warn({ kill, file: this.file }, 'kill switch changed');
    }
    if (file && !this.flattened && readFileSync(this.file, 'utf8').includes('flatten')) {
      this.flattened = true;
      this.log.warn('kill switch: flattening every open position until each is closed');
      this.target.flatten();
    } else if (!file && this.flattened) {
      this.flattened = false;
      this.log.warn('kill switch file removed: flatten ended');
      this.target.stopFlatten?.();
    }
  }

  /** Stops listening for SIGUSR2. */
  dispose(): void {
    process.off('SIGUSR2', this.onSignal);
  }
}
