import { InvariantError } from '../../src/core/errors';
import { assertTransition, canTransition, TRANSITIONS } from '../../src/trader/position-machine';
import type { PositionState } from '../../src/core/types';

const ALL: PositionState[] = ['PENDING', 'OPEN', 'EXITING', 'CLOSED'];

describe('position state machine', () => {
  it('allows exactly the table', () => {
    const allowed = ALL.flatMap((f) => ALL.filter((t) => canTransition(f, t)).map((t) => `${f}>${t}`));
    expect(allowed).toEqual([
      'PENDING>OPEN',
      'PENDING>CLOSED',
      'OPEN>EXITING',
      'OPEN>CLOSED',
      'EXITING>OPEN',
      'EXITING>CLOSED',
    ]);
    expect(TRANSITIONS.CLOSED).toEqual([]);
  });

  it.each([
    ['CLOSED', 'OPEN'],
    ['CLOSED', 'EXITING'],
    ['PENDING', 'EXITING'],
    ['OPEN', 'PENDING'],
    ['EXITING', 'PENDING'],
    ['OPEN', 'OPEN'],
  ] as [PositionState, PositionState][])('throws on %s → %s, naming both states', (from, to) => {
    expect(() => assertTransition(from, to, 'k')).toThrow(InvariantError);
    expect(() => assertTransition(from, to, 'k')).toThrow(`${from} → ${to}`);
  });
});
