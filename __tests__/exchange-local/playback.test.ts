import { Playback } from '../../testkit/exchange-local/playback';
import { startLocalExchange } from '../../testkit/exchange-local/server';
import {
  applyFrames,
  FrameCollector,
  levelsOf,
  syntheticRows,
  type AppliedBook,
} from '../../testkit/exchange-local/test-client';

describe('playback clock', () => {
  it('maps wall time onto recording time at the given speed', () => {
    jest.useFakeTimers();
    try {
      let wall = 0;
      const seen: number[] = [];
      const clocks: number[] = [];
      const rows = syntheticRows(1, 10);
      const p = new Playback({
        rows,
        speed: 10,
        onRow: (r) => seen.push(r.tsMs),
        onClock: (ms) => clocks.push(ms),
        wallNow: () => wall,
      });
      p.play();
      wall = 250; // 2.5 s of recording
      jest.advanceTimersByTime(250);
      expect(seen.length).toBe(3);
      expect(p.clockMs).toBe((rows[0]?.tsMs ?? 0) + 2500);
      p.pause();
      wall = 10_000;
      jest.advanceTimersByTime(1000);
      expect(seen.length).toBe(3);
      expect(p.step(2)).toBe(2);
      expect(p.cursor).toBe(5);
      expect(() => p.setSpeed(0)).toThrow(RangeError);
      p.setSpeed(1000);
      p.play();
      wall += 100;
      jest.advanceTimersByTime(300);
      expect(p.done).toBe(true);
      expect(p.isPlaying).toBe(false);
      expect(clocks.every((c, i) => i === 0 || c >= (clocks[i - 1] ?? 0))).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('replays the shared borisz42 recording: stepped books match, then plays', async () => {
    const lx = await startLocalExchange({ windows: 1, manual: true, speed: 600, rtdsInput: null });
    try {
      const m = lx.markets();
      expect(m).toHaveLength(1);
      expect(m[0]?.slug).toMatch(/^btc-updown-15m-\d+$/);
      const ids = [m[0]?.upTokenId ?? '', m[0]?.downTokenId ?? ''];
      const c = await FrameCollector.connect(lx.marketWsUrl);
      c.send({ type: 'market', assets_ids: ids, custom_feature_enabled: true });
      const books = new Map<string, AppliedBook>();
      applyFrames(books, await c.barrier());
      for (let i = 0; i < 10; i++) {
        lx.step(30);
        applyFrames(books, await c.barrier());
        for (const id of ids) expect(levelsOf(books.get(id) as AppliedBook)).toEqual(lx.books(id));
      }
      const before = c.frames.length;
      lx.play();
      await c.waitFor((fs) => fs.length >= before + 3, 3000);
      expect(lx.stats().playing).toBe(true);
      await c.close();
    } finally {
      await lx.close();
    }
  });
});
