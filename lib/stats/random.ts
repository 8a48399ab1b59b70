import { AppError } from "../errors.ts";

/** A seeded pseudo-random generator, so bootstrap intervals and simulations are reproducible. */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, bound), bound ≤ 2^32. */
  nextInt(bound: number): number;
  /** Standard normal deviate (Box–Muller). */
  nextNormal(): number;
  /** Fills `target` with uniform integers in [0, bound): the same stream as repeated nextInt, faster. */
  fillInts(target: Int32Array, bound: number): void;
}

const TWO_POW_32 = 4294967296;

// splitmix32 spreads any seed (0, 1, 2, …) over the whole state, so neighbouring seeds give unrelated streams
// and the all-zero state xoshiro cannot leave is never reached.
function splitmix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * xoshiro128** (Blackman & Vigna): period 2^128 − 1, passes BigCrush, and needs only 32-bit integer operations,
 * which V8 runs without allocating. mulberry32's 2^32 period would be within reach of 10,000 × 5,000 draws.
 */
class Xoshiro128StarStar implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const state = { value: (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) | 0, 0x27d4eb2d) };
    this.s0 = splitmix32(state);
    this.s1 = splitmix32(state);
    this.s2 = splitmix32(state);
    this.s3 = splitmix32(state);
  }

  nextUint32(): number {
    const s1 = this.s1;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  nextInt(bound: number): number {
    // Multiply-shift: the bias is at most bound / 2^32, far below anything a bootstrap can resolve.
    return Math.floor((this.nextUint32() / TWO_POW_32) * bound);
  }

  fillInts(target: Int32Array, bound: number): void {
    // The state lives in locals for the loop: bootstraps draw tens of millions of indices.
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const scale = bound / TWO_POW_32;
    for (let index = 0; index < target.length; index++) {
      const product = Math.imul(s1, 5);
      const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      target[index] = Math.floor(result * scale);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    // 1 − next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/** Seed used when the caller gives none: the same data then always yields the same interval. */
export const DEFAULT_SEED = 20240601;

export function createRng(seed: number = DEFAULT_SEED): Rng {
  if (!Number.isFinite(seed)) {
    throw new AppError("bad_request", "statistics", "seed must be a finite number", [
      { path: "seed", message: `got ${String(seed)}` },
    ]);
  }
  return new Xoshiro128StarStar(Math.trunc(seed));
}
