/**
 * Recording files of the live feed (`collect --record <dir>`, issue #3): JSON lines, one per
 * window subscribed (`{"t":"window","recvMs":…,"market":MarketInfo}`) and one per raw frame
 * (`{"t":"frame","channel":"market"|"rtds","recvMs":…,"text":"…"}`), in receive order. A
 * recording replays through `replay --input <file>` to the same books (FeedProcessor).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { MarketInfo } from '../market/market-info';

/** One line of a recording. */
export type RecordingLine =
  | { readonly t: 'window'; readonly recvMs: number; readonly market: MarketInfo }
  | {
      readonly t: 'frame';
      readonly channel: 'market' | 'rest' | 'rtds';
      readonly recvMs: number;
      readonly text: string;
    };

/** Appends a recording file. */
export class FrameRecorder {
  /** The file written. */
  readonly path: string;
  private readonly out: WriteStream;

  /** Creates `<dir>/frames-<startMs>.jsonl` (and `dir`). */
  constructor(dir: string, startMs: number) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `frames-${startMs}.jsonl`);
    this.out = createWriteStream(this.path, { flags: 'a' });
  }

  /** Records a window subscription. */
  window(market: MarketInfo, recvMs: number): void {
    this.write({ t: 'window', recvMs, market });
  }

  /** Records a raw frame. */
  frame(channel: 'market' | 'rest' | 'rtds', text: string, recvMs: number): void {
    this.write({ t: 'frame', channel, recvMs, text });
  }

  /** Resolves once everything written so far has reached the file. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }

  private write(line: RecordingLine): void {
    this.out.write(JSON.stringify(line) + '\n');
  }
}
