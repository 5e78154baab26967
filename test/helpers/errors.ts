import { VardecompError } from '../../src/errors.js';

/** The VardecompError `f` throws (any other outcome fails the test). */
export function errorOf(f: () => unknown): VardecompError {
  try {
    f();
  } catch (e) {
    if (e instanceof VardecompError) return e;
    throw e;
  }
  throw new Error('expected a VardecompError');
}
