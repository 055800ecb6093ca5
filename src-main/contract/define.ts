import type { z } from 'zod';

/** One call of the contract: its input schema and (as a phantom type) its output. */
export interface CallSpec<I extends z.ZodType, O> {
  readonly input: I;
  /** Never read at run time; carries the output type to the preload, the host and the renderer. */
  readonly output: O;
}

/** One event of the contract: a name and the type of its payload. */
export interface EventSpec<P> {
  readonly payload: P;
}

export function call<I extends z.ZodType>(input: I) {
  return <O>(): CallSpec<I, O> => ({ input, output: undefined as unknown as O });
}

export function event<P>(): EventSpec<P> {
  return { payload: undefined as unknown as P };
}
