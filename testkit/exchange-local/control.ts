/**
 * Control API of the local exchange (issue #3): fault switches and playback over HTTP, for
 * manual testing against a running server.
 *
 * - `POST /_control/fault` with one of
 *   `{"fault":"drop"}`, `{"fault":"silence","tokenId":"…","ms":5000|null}`,
 *   `{"fault":"unsilence","tokenId":"…"}`, `{"fault":"duplicate"|"reorder"|"malformed","n":4}`,
 *   `{"fault":"tickSizeChange","tokenId":"…"}` → `{"ok":true,"stats":{…}}`
 * - `POST /_control/playback` with `{"action":"step","rows":10}`, `{"action":"play"}`,
 *   `{"action":"pause"}` or `{"action":"speed","speed":60}`
 * - `GET /_control/stats` → the exchange's stats
 */
import { z } from 'zod';
import type { JsonReply } from './gamma';

/** A fault command (the body of `POST /_control/fault`). */
export const FaultCommandSchema = z.discriminatedUnion('fault', [
  z.object({ fault: z.literal('drop') }),
  z.object({
    fault: z.literal('silence'),
    tokenId: z.string().min(1),
    ms: z.number().nonnegative().nullable(),
  }),
  z.object({ fault: z.literal('unsilence'), tokenId: z.string().min(1) }),
  z.object({ fault: z.enum(['duplicate', 'reorder', 'malformed']), n: z.number().int().positive() }),
  z.object({ fault: z.literal('tickSizeChange'), tokenId: z.string().min(1) }),
]);
/** A parsed fault command. */
export type FaultCommand = z.infer<typeof FaultCommandSchema>;

/** A playback command (the body of `POST /_control/playback`). */
export const PlaybackCommandSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('step'), rows: z.number().int().positive().optional() }),
  z.object({ action: z.enum(['play', 'pause']) }),
  z.object({ action: z.literal('speed'), speed: z.number().positive() }),
]);
/** A parsed playback command. */
export type PlaybackCommand = z.infer<typeof PlaybackCommandSchema>;

/** What the control handlers drive. */
export interface ControlTarget {
  readonly applyFault: (cmd: FaultCommand) => void;
  readonly applyPlayback: (cmd: PlaybackCommand) => void;
  readonly stats: () => unknown;
}

/**
 * Answers a control request, or returns `null` when the path is not under `/_control/`.
 * Invalid bodies get 400 with the validation message.
 */
export function handleControl(
  method: string,
  url: URL,
  body: string,
  target: ControlTarget,
): JsonReply | null {
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.startsWith('/_control/')) return null;
  if (method === 'GET' && path === '/_control/stats') return { status: 200, body: target.stats() };
  if (method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    return { status: 400, body: { error: 'body is not JSON' } };
  }
  if (path === '/_control/fault') {
    const cmd = FaultCommandSchema.safeParse(json);
    if (!cmd.success) return { status: 400, body: { error: cmd.error.message } };
    target.applyFault(cmd.data);
    return { status: 200, body: { ok: true, stats: target.stats() } };
  }
  if (path === '/_control/playback') {
    const cmd = PlaybackCommandSchema.safeParse(json);
    if (!cmd.success) return { status: 400, body: { error: cmd.error.message } };
    target.applyPlayback(cmd.data);
    return { status: 200, body: { ok: true, stats: target.stats() } };
  }
  return { status: 404, body: { error: 'not found' } };
}

/** Fault switches of a running exchange (the `faults` of `LocalExchange`). */
export interface LocalFaults {
  /** Terminates every market socket; returns how many. */
  dropConnections(): number;
  /** Withholds frames about a token for `ms` wall-clock ms, or until `unsilence` when `null`. */
  silence(tokenId: string, ms: number | null): void;
  /** Ends a silence. */
  unsilence(tokenId: string): void;
  /** Sends each of the next `n` frames twice. */
  duplicateFrames(n: number): void;
  /** Swaps pairs among the next `n` frames. */
  reorderFrames(n: number): void;
  /** Sends `n` garbage / truncated / wrong-typed frames before the next real ones. */
  malformedFrames(n: number): void;
  /** Flips a token's tick (0.01 ↔ 0.001) and emits `tick_size_change`; returns false for an unknown token. */
  tickSizeChange(tokenId: string): boolean;
}

/** Playback controls of a running exchange. */
export interface PlaybackControls {
  /** Applies the next `rows` recorded rows; returns how many were applied. */
  step(rows?: number): number;
  /** Starts advancing on wall time. */
  play(): void;
  /** Stops advancing. */
  pause(): void;
  /** Sets recording ms per wall ms. */
  setSpeed(x: number): void;
}

/** Applies a fault command to the switches. */
export function applyFaultCommand(f: LocalFaults, cmd: FaultCommand): void {
  switch (cmd.fault) {
    case 'drop':
      f.dropConnections();
      return;
    case 'silence':
      f.silence(cmd.tokenId, cmd.ms);
      return;
    case 'unsilence':
      f.unsilence(cmd.tokenId);
      return;
    case 'duplicate':
      f.duplicateFrames(cmd.n);
      return;
    case 'reorder':
      f.reorderFrames(cmd.n);
      return;
    case 'malformed':
      f.malformedFrames(cmd.n);
      return;
    case 'tickSizeChange':
      f.tickSizeChange(cmd.tokenId);
      return;
  }
}

/** Applies a playback command. @throws {RangeError} for a bad speed. */
export function applyPlaybackCommand(p: PlaybackControls, cmd: PlaybackCommand): void {
  switch (cmd.action) {
    case 'step':
      p.step(cmd.rows ?? 1);
      return;
    case 'play':
      p.play();
      return;
    case 'pause':
      p.pause();
      return;
    case 'speed':
      p.setSpeed(cmd.speed);
      return;
  }
}
