/**
 * Replay of a live-feed recording (`collect --record`, issue #3): the raw frames go through the
 * same `FeedProcessor` as live, so the books are the live run's books, and every book update is a
 * tick for the trader (simulated venue on those books, virtual clock at the receive times).
 */
import { FeedProcessor } from './feed-processor';
import type { RecordingLine } from './frame-recorder';
import { InputError } from '../core/errors';
import { readLineBatches } from './line-reader';
import { parseRtdsFrame } from './rtds-parse';

/** True when `path` names a recording file (`.jsonl` or `.jsonl.gz`). */
export function isRecording(path: string): boolean {
  return /\.jsonl(\.gz)?$/.test(path);
}

/**
 * Yields the lines of a recording in file order.
 * @throws {InputError} naming the line when it is not a recording line.
 */
export async function* readRecording(path: string): AsyncGenerator<RecordingLine> {
  let n = 0;
  for await (const lines of readLineBatches(path)) {
    for (const text of lines) {
      n += 1;
      let line: RecordingLine;
      try {
        line = JSON.parse(text) as RecordingLine;
      } catch (err) {
        throw new InputError(`${path}:${n}: not JSON`, { cause: err });
      }
      if (line.t !== 'window' && line.t !== 'frame')
        throw new InputError(`${path}:${n}: not a recording line`);
      yield line;
    }
  }
}

/** Counters of a recording replay. */
export interface FrameReplayStats {
  windows: number;
  marketFrames: number;
  rtdsFrames: number;
  ticks: number;
}

/**
 * Feeds a recording through `feed` and calls `onTick` for each book update, in receive order.
 * `onWindow` sees each window as it was subscribed. Returns the counters.
 */
export async function replayRecording(
  path: string,
  feed: FeedProcessor,
  handlers: {
    onWindow?: (line: Extract<RecordingLine, { t: 'window' }>) => void;
    onTick: (tick: import('../core/types').Tick) => void;
    /** Paces the frames (`replay --speed`): resolves when the frame received at `ms` is due. */
    pace?: (ms: number) => Promise<void> | null;
  },
): Promise<FrameReplayStats> {
  const stats: FrameReplayStats = { windows: 0, marketFrames: 0, rtdsFrames: 0, ticks: 0 };
  const fresh = (): boolean => false;
  for await (const line of readRecording(path)) {
    if (line.t === 'window') {
      stats.windows += 1;
      feed.addWindow(line.market);
      handlers.onWindow?.(line);
    } else if (line.channel === 'market' || line.channel === 'rest') {
      stats.marketFrames += 1;
      const due = handlers.pace?.(line.recvMs);
      if (due !== undefined && due !== null) await due;
      for (const { tick } of feed.onFrame(line.text, line.recvMs, fresh)) {
        stats.ticks += 1;
        handlers.onTick(tick);
      }
    } else {
      stats.rtdsFrames += 1;
      for (const p of parseRtdsFrame(line.text).prices)
        feed.setSpot(p.symbol.split('/')[0]!.toUpperCase(), p.value);
    }
  }
  return stats;
}
