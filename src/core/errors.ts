/**
 * What a caller must do about an error (STYLE.md rule 5): retry it, stop (rejected input),
 * resolve an unknown outcome by querying, or treat it as a bug (invariant).
 */
export type ErrorAction = 'retryable' | 'rejected' | 'unknown_outcome' | 'invariant' | 'config';

/** Base class of every error the project throws; `name` is a literal per subclass. */
export class TraderError extends Error {
  override name = 'TraderError';
  /** What the caller must do. */
  readonly action: ErrorAction;

  /** Creates an error with a short message, an action and an optional cause. */
  constructor(message: string, action: ErrorAction, options?: { cause?: unknown }) {
    super(message, options);
    this.action = action;
  }
}

/** An invalid state-machine transition or another broken invariant (a bug, never expected). */
export class InvariantError extends TraderError {
  override name = 'InvariantError';
  /** Creates an invariant violation. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'invariant', options);
  }
}

/** Bad configuration: the message names the key and what to set. */
export class ConfigError extends TraderError {
  override name = 'ConfigError';
  /** Creates a configuration error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'config', options);
  }
}

/** Input data that cannot be used (a malformed row, an unknown format). */
export class InputError extends TraderError {
  override name = 'InputError';
  /** Creates an input error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'rejected', options);
  }
}
