/**
 * Memoization per synthesis generation: what a validation computed is kept while the app it
 * belongs to is unchanged, so the validation passes cdk8s repeats (one more per chart) cost a
 * lookup each.
 *
 * A generation is the span of validation passes of one app (by root) that see the same app: the
 * app index (`AppIndex`, src/private/app-index.ts) starts a new one whenever a pass sees a change
 * (a new construct, a call of a mutating method of this library (`touch()`), a changed container
 * of this library) and keeps the current one otherwise. Between generations nothing is reused.
 *
 * This module imports nothing of the library, so that every private module (warnings, the app
 * index, the checks) can use it.
 */
import { IConstruct } from 'constructs';

/** The current generation of each app, by root: an object compared by identity. */
const GENERATIONS = new WeakMap<IConstruct, object>();

/** Bumped by every mutating method of this library's constructs (`touch()`). */
let mutations = 0;

/**
 * Call from every public method of this library that changes what a construct renders or checks
 * without adding a construct (`addContainer()`, `addVolume()`, `addConsumer()`, `acknowledge()`...).
 */
export function touch(): void {
  mutations++;
}

/** How many mutating calls were made in this process (see `touch()`). */
export function mutationCount(): number {
  return mutations;
}

/** The current generation of the app `root`, or undefined outside any validation pass. */
export function generationOf(root: IConstruct): object | undefined {
  return GENERATIONS.get(root);
}

/** Starts a new generation for the app `root` (called by the app index at the start of a pass that sees a change). */
export function startGeneration(root: IConstruct, token: object): void {
  GENERATIONS.set(root, token);
}

/** Counts of memoized computations, for the guard in test/scale.test.ts. */
export interface MemoStats {
  /** Computations run (memo misses, or no generation). */
  computed: number;
  /** Results returned from the memo (a repeated pass of the same generation). */
  reused: number;
}

const STATS: MemoStats = { computed: 0, reused: 0 };

/** The counters of every memo in this process (a live object). */
export function memoStats(): MemoStats {
  return STATS;
}

/**
 * One value computed at most once per generation of one app, and again after any mutating call
 * of this library (`touch()`). Outside a validation pass (no
 * generation yet, e.g. a test validating one construct by hand) it computes every time.
 *
 * Keep one instance per validation (a closure variable): a lookup is one `WeakMap` read and one
 * comparison, so a validation that cdk8s calls once per chart costs nothing after the first pass.
 */
export class GenerationMemo<T> {
  private generation?: object;
  private mutations = -1;
  private value?: T;

  /** @param root the root of the app (capture `scope.node.root` once, when the validation is added) */
  constructor(private readonly root: IConstruct) {}

  /** The value of the current generation, computed by `compute` if not yet. */
  public get(compute: () => T): T {
    const generation = GENERATIONS.get(this.root);
    // a mutating call since (even outside a pass, e.g. a test validating by hand) invalidates it too
    if (generation !== undefined && generation === this.generation && mutations === this.mutations) {
      STATS.reused++;
      return this.value as T;
    }
    STATS.computed++;
    const value = compute();
    this.generation = generation;
    this.mutations = mutations;
    this.value = value;
    return value;
  }
}
