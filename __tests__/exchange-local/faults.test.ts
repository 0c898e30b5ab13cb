import { startLocalExchange, type LocalExchange } from '../../src/exchange-local/server';
import {
  applyFrames,
  FrameCollector,
  levelsOf,
  objectsOf,
  syntheticRows,
  type AppliedBook,
} from '../../src/exchange-local/test-client';

type Obj = Record<string, unknown>;

async function open(): Promise<{ lx: LocalExchange; c: FrameCollector; up: string; down: string }> {
  const lx = await startLocalExchange({ input: syntheticRows(1, 20), manual: true, rtdsInput: null });
  const c = await FrameCollector.connect(lx.marketWsUrl);
  const m = lx.markets()[0];
  const up = m?.upTokenId ?? '';
  const down = m?.downTokenId ?? '';
  c.send({ type: 'market', assets_ids: [up, down], custom_feature_enabled: true });
  await c.barrier();
  return { lx, c, up, down };
}

/** Frames one step produces without faults (for comparison). */
async function cleanStep(rows: number): Promise<string[]> {
  const { lx, c } = await open();
  try {
    lx.step(rows);
    return await c.barrier();
  } finally {
    await c.close();
    await lx.close();
  }
}

describe('local exchange fault switches', () => {
  let ctx: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    ctx = await open();
  });
  afterEach(async () => {
    await ctx.c.close();
    await ctx.lx.close();
  });

  it('dropConnections terminates market sockets and counts them', async () => {
    expect(ctx.lx.faults.dropConnections()).toBe(1);
    await ctx.c.waitFor(() => ctx.c.closed);
    expect(ctx.lx.stats().faults.dropped).toBe(1);
    expect(ctx.lx.stats().marketWs.open).toBe(0);
  });

  it('silence withholds a token while PING still works', async () => {
    ctx.lx.faults.silence(ctx.up, null);
    ctx.lx.step(3);
    const frames = await ctx.c.barrier();
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((f) => f.includes(ctx.up))).toBe(false);
    expect(frames.some((f) => f.includes(ctx.down))).toBe(true);
    expect(ctx.lx.stats().faults.silenced).toBeGreaterThan(0);
    ctx.lx.faults.unsilence(ctx.up);
    ctx.lx.step(1);
    expect((await ctx.c.barrier()).some((f) => f.includes(ctx.up))).toBe(true);
  });

  it('duplicateFrames sends frames twice; the book still matches', async () => {
    const clean = await cleanStep(2);
    const books = new Map<string, AppliedBook>();
    applyFrames(books, [ctx.c.frames[0] as string]);
    ctx.lx.faults.duplicateFrames(2);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toEqual([clean[0], clean[0], clean[1], clean[1], ...clean.slice(2)]);
    expect(ctx.lx.stats().faults.duplicated).toBe(2);
    applyFrames(books, frames);
    expect(levelsOf(books.get(ctx.up) as AppliedBook)).toEqual(ctx.lx.books(ctx.up));
  });

  it('reorderFrames swaps pairs of the next frames', async () => {
    const clean = await cleanStep(2);
    expect(clean.length).toBeGreaterThanOrEqual(3);
    ctx.lx.faults.reorderFrames(2);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toEqual([clean[1], clean[0], ...clean.slice(2)]);
    expect(ctx.lx.stats().faults.reorderedPairs).toBe(1);
  });

  it('malformedFrames injects garbage, truncated and wrong-typed frames', async () => {
    const clean = await cleanStep(2);
    ctx.lx.faults.malformedFrames(3);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toHaveLength(clean.length + 3);
    const bad = frames.filter((f) => !clean.includes(f));
    expect(bad).toHaveLength(3);
    expect(objectsOf(bad[0] as string)).toBeNull();
    expect(objectsOf(bad[1] as string)).toBeNull();
    const wrong = (objectsOf(bad[2] as string) ?? [])[0] as Obj;
    expect(typeof wrong['price_changes']).toBe('string');
    expect(ctx.lx.stats().faults.malformed).toBe(3);
  });

  it('tickSizeChange forces a tick_size_change and rebuilds the book on the new grid', async () => {
    const books = new Map<string, AppliedBook>();
    applyFrames(books, [ctx.c.frames[0] as string]);
    expect(ctx.lx.faults.tickSizeChange(ctx.up)).toBe(true);
    expect(ctx.lx.faults.tickSizeChange('42')).toBe(false);
    const frames = await ctx.c.barrier();
    const tsc = frames.flatMap((f) => objectsOf(f) ?? []).find((o) => o['event_type'] === 'tick_size_change');
    expect(tsc).toMatchObject({ asset_id: ctx.up, old_tick_size: '0.01', new_tick_size: '0.001' });
    applyFrames(books, frames);
    expect(ctx.lx.books(ctx.up)?.tickSize).toBe(1_000);
    expect(levelsOf(books.get(ctx.up) as AppliedBook)).toEqual(ctx.lx.books(ctx.up));
    expect(ctx.lx.stats().faults.tickSizeChanges).toBe(1);
  });

  it('POST /_control/fault drives the same switches', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${ctx.lx.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Obj };
    };
    expect((await post('/_control/fault', { fault: 'duplicate', n: 1 })).status).toBe(200);
    expect((await post('/_control/fault', { fault: 'explode' })).status).toBe(400);
    expect((await post('/_control/playback', { action: 'step', rows: 2 })).status).toBe(200);
    await ctx.c.barrier();
    const stats = (await (await fetch(`${ctx.lx.url}/_control/stats`)).json()) as Obj;
    expect(stats['rowsApplied']).toBe(2);
    expect(ctx.lx.stats().faults.duplicated).toBe(1);
    await post('/_control/fault', { fault: 'drop' });
    await ctx.c.waitFor(() => ctx.c.closed);
  });
});
