/**
 * The process's random source (issue #10: the one place that reads `Math.random`; the CLOB venue
 * takes it injected for order salts, so tests can sign byte-identical orders).
 */

/** A uniform number in [0, 1): `Math.random`. */
export const systemRandom: () => number = () => Math.random();
