/**
 * A small seeded pseudo-random number generator that gives bit-identical streams on every
 * platform.
 *
 * The generator is xoshiro128** (Blackman & Vigna), four 32-bit words of state, written with
 * 32-bit integer arithmetic only (`Math.imul`, shifts, `>>> 0`), so a seed produces the same
 * sequence in every JavaScript engine. It is a statistical generator, not a cryptographic one.
 *
 * Seeding: the seed number is turned into 32-bit words (integers exactly, other finite numbers
 * through their IEEE-754 bits) and each of the four state words is a MurmurHash3-style hash of
 * those words under a different salt taken from a splitmix32 sequence; child streams (`fork`,
 * `split`) are seeded the same way from the parent's state. No `Math.random`, no Node-only APIs.
 */
import { VardecompError } from '../errors.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
/** 2^-53: the spacing of the `uniform()` grid. */
const INV_TWO_POW_53 = 1.1102230246251565e-16;
/** splitmix32's Weyl increment (the golden ratio times 2^32). */
const GOLDEN = 0x9e3779b9;

/** Domain tags that keep the word sequences of different seeding routes apart. */
const TAG_INTEGER = 0x5eed0001;
const TAG_DOUBLE = 0x5eed0002;
const TAG_FORK_NUMBER = 0xf0e40001;
const TAG_FORK_STRING = 0xf0e40002;
const TAG_SPLIT = 0x5b117001;

/** splitmix32 / murmur3 finaliser: a bijection on 32-bit words with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The k-th output of splitmix32 started at state 0: fmix32 of the Weyl sequence. */
function splitmix32At(k: number): number {
  return fmix32(Math.imul(k + 1, GOLDEN));
}

/** MurmurHash3 (x86, 32-bit) over a sequence of 32-bit words. */
function hashWords(words: readonly number[], salt: number): number {
  let h = salt >>> 0;
  for (const word of words) {
    let k = Math.imul(word | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= words.length * 4;
  return fmix32(h);
}

/** Four state words from seed material; never the all-zero state xoshiro cannot leave. */
function stateFromWords(words: readonly number[]): Uint32Array {
  const s = new Uint32Array(4);
  for (let k = 0; k < 4; k++) s[k] = hashWords(words, splitmix32At(k));
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = GOLDEN;
  return s;
}

/** The 32-bit words that identify a finite number exactly. */
function numberWords(value: number): number[] {
  const v = value === 0 ? 0 : value; // -0 and 0 are the same seed
  if (Number.isSafeInteger(v)) {
    const lo = v >>> 0; // v mod 2^32 (two's complement for negatives)
    const hi = Math.floor(v / TWO_POW_32) | 0;
    return [TAG_INTEGER, lo, hi];
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v, true);
  return [TAG_DOUBLE, view.getUint32(0, true), view.getUint32(4, true)];
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

/**
 * A seeded random number generator (xoshiro128**).
 *
 * Same seed, same sequence, on every platform. Use {@link Rng.fork} to derive named independent
 * streams (the parent is not advanced) and {@link Rng.split} to draw a fresh child stream from
 * the parent (the parent is advanced).
 *
 * @example
 * ```ts
 * import { Rng } from 'vardecomp';
 * const rng = new Rng(42);
 * const u = rng.uniform(); // in [0, 1), 53-bit resolution
 * const z = rng.normal(); // standard normal
 * const k = rng.int(6); // 0..5, no modulo bias
 * const units = rng.fork('units'); // independent stream, rng itself unchanged
 * ```
 */
export class Rng {
  private s: Uint32Array;
  /** The second deviate of the last Marsaglia polar pair, or NaN if none is cached. */
  private spare = Number.NaN;

  /**
   * @param seed Any finite number. Integers (up to 2^53 in magnitude) are used exactly; other
   *   finite numbers are seeded from their IEEE-754 bits, so `0.5` and `1` give different
   *   streams. `-0` and `0` are the same seed. A non-finite or non-number seed throws a
   *   `VardecompError` with code `E_OPTION`.
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new VardecompError('E_OPTION', `Option "seed" must be a finite number (got ${describe(seed)})`, {
        option: 'seed',
        value: seed,
      });
    }
    this.s = stateFromWords(numberWords(seed));
  }

  /** A generator with the given raw state (internal: used by fork/split/clone). */
  private static fromState(state: Uint32Array): Rng {
    const rng = new Rng(0);
    rng.s = state;
    return rng;
  }

  /**
   * The next raw output: a uniform integer in [0, 2^32).
   *
   * @example
   * ```ts
   * const word = new Rng(1).nextUint32(); // 0 <= word < 4294967296
   * ```
   */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const s2 = s[2];
    const s3 = s[3];
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    s[0] = n0;
    s[1] = n1;
    s[2] = n2 ^ t;
    s[3] = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /**
   * A uniform number in [0, 1) on the grid k / 2^53 (two 32-bit outputs per call).
   *
   * @example
   * ```ts
   * const p = new Rng(7).uniform();
   * ```
   */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * INV_TWO_POW_53;
  }

  /**
   * A standard normal deviate (Marsaglia's polar method).
   *
   * Each accepted pair gives two deviates; the second is cached and returned by the next call,
   * so the sequence depends only on the seed and the sequence of calls. `fork`, `split` and
   * `clone` follow the usual rules: forks and splits start with an empty cache, clones copy it.
   *
   * The uniforms behind each deviate are bit-identical everywhere; the deviate itself also goes
   * through `Math.log` and `Math.sqrt`. `Math.sqrt` is correctly rounded by the standard, while
   * `Math.log` is not required to be, so engines with different `log` implementations could
   * differ in the last bit (V8, i.e. Node and Chrome, uses the same fdlibm port on every OS).
   *
   * @example
   * ```ts
   * const rng = new Rng(3);
   * const z = [rng.normal(), rng.normal()];
   * ```
   */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    for (;;) {
      const v1 = 2 * this.uniform() - 1;
      const v2 = 2 * this.uniform() - 1;
      const r = v1 * v1 + v2 * v2;
      if (r > 0 && r < 1) {
        const f = Math.sqrt((-2 * Math.log(r)) / r);
        this.spare = v2 * f;
        return v1 * f;
      }
    }
  }

  /**
   * A uniform integer in [0, n), without modulo bias (rejection sampling).
   *
   * @param n An integer in [1, 2^53]. Anything else throws `E_OPTION`.
   * @example
   * ```ts
   * const die = new Rng(5).int(6) + 1; // 1..6
   * ```
   */
  int(n: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > TWO_POW_53) {
      throw new VardecompError('E_OPTION', `Rng.int(n) needs an integer n in [1, 2^53] (got ${describe(n)})`, {
        option: 'n',
        value: n,
      });
    }
    if (n <= TWO_POW_32) {
      // Accept r >= 2^32 mod n: the accepted range holds a whole number of copies of [0, n).
      const threshold = (TWO_POW_32 - n) % n;
      for (;;) {
        const r = this.nextUint32();
        if (r >= threshold) return r % n;
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      const r = (this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6);
      if (r < limit) return r % n;
    }
  }

  /**
   * Shuffle `array` IN PLACE (Fisher-Yates) and return that same array.
   *
   * The caller's array is modified; pass a copy (`rng.shuffle([...xs])`) to keep the original.
   * Works on plain arrays and typed arrays.
   *
   * @example
   * ```ts
   * const order = new Rng(9).shuffle([0, 1, 2, 3, 4]); // a permutation, same array object
   * ```
   */
  shuffle<A extends { length: number; [index: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /**
   * An independent child stream identified by `stream`, derived from this generator's current
   * state by hashing. This generator is NOT advanced, so `rng.fork('a')` is the same stream
   * however many other forks are taken, and different names give unrelated streams.
   *
   * @param stream A finite number or a string naming the stream.
   * @example
   * ```ts
   * const root = new Rng(1);
   * const effects = root.fork('effects');
   * const noise = root.fork('noise'); // unaffected by how much `effects` is used
   * ```
   */
  fork(stream: number | string): Rng {
    const words: number[] = [this.s[0], this.s[1], this.s[2], this.s[3]];
    if (typeof stream === 'string') {
      words.push(TAG_FORK_STRING);
      for (let i = 0; i < stream.length; i++) words.push(stream.charCodeAt(i));
    } else if (typeof stream === 'number' && Number.isFinite(stream)) {
      words.push(TAG_FORK_NUMBER, ...numberWords(stream));
    } else {
      throw new VardecompError(
        'E_OPTION',
        `Rng.fork(stream) needs a finite number or a string (got ${describe(stream)})`,
        { option: 'stream', value: stream },
      );
    }
    return Rng.fromState(stateFromWords(words));
  }

  /**
   * A new independent child stream seeded from four outputs of this generator (this generator
   * IS advanced, so successive calls give different children).
   *
   * @example
   * ```ts
   * const rng = new Rng(1);
   * const children = [rng.split(), rng.split()]; // two different streams
   * ```
   */
  split(): Rng {
    const words = [TAG_SPLIT, this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()];
    return Rng.fromState(stateFromWords(words));
  }

  /**
   * An exact copy (state and cached normal deviate) that then evolves independently.
   *
   * @example
   * ```ts
   * const a = new Rng(2);
   * const b = a.clone();
   * a.uniform() === b.uniform(); // true
   * ```
   */
  clone(): Rng {
    const copy = Rng.fromState(Uint32Array.from(this.s));
    copy.spare = this.spare;
    return copy;
  }
}

/**
 * Fill `out` with standard normal deviates from `rng`, in index order, and return `out`.
 *
 * @example
 * ```ts
 * import { Rng, fillNormal } from 'vardecomp';
 * const z = fillNormal(new Rng(1), new Float64Array(100));
 * ```
 */
export function fillNormal(rng: Rng, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}
