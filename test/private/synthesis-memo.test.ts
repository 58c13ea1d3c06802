import { Construct } from 'constructs';
import { GenerationMemo, generationOf, memoStats, startGeneration, touch } from '../../src/private/synthesis-memo';

describe('GenerationMemo', () => {
  function counter(): { memo: GenerationMemo<number>; root: Construct; calls: () => number; get: () => number } {
    const root = new Construct(undefined as any, '');
    const memo = new GenerationMemo<number>(root);
    let n = 0;
    return { memo, root, calls: () => n, get: () => memo.get(() => ++n) };
  }

  test('outside any validation pass (no generation) it computes every time', () => {
    // GIVEN
    const c = counter();
    // WHEN
    c.get();
    c.get();
    // THEN
    expect(generationOf(c.root)).toBeUndefined();
    expect(c.calls()).toBe(2);
  });

  test('within one generation it computes once and returns the value again', () => {
    // GIVEN
    const c = counter();
    startGeneration(c.root, {});
    const before = { ...memoStats() };
    // WHEN
    const first = c.get();
    const second = c.get();
    // THEN
    expect(c.calls()).toBe(1);
    expect(second).toBe(first);
    expect(memoStats().computed - before.computed).toBe(1);
    expect(memoStats().reused - before.reused).toBe(1);
  });

  test('a new generation computes again', () => {
    // GIVEN
    const c = counter();
    startGeneration(c.root, {});
    c.get();
    // WHEN
    startGeneration(c.root, {});
    c.get();
    // THEN
    expect(c.calls()).toBe(2);
  });

  test('a mutating call of the library (touch) computes again, even within the generation', () => {
    // GIVEN
    const c = counter();
    startGeneration(c.root, {});
    c.get();
    // WHEN
    touch();
    c.get();
    c.get();
    // THEN
    expect(c.calls()).toBe(2);
  });

  test('generations are per app', () => {
    // GIVEN two apps, one memo each, both computed in their generation
    const a = counter();
    const b = counter();
    startGeneration(a.root, {});
    startGeneration(b.root, {});
    a.get();
    b.get();
    // WHEN only b starts a new generation
    startGeneration(b.root, {});
    a.get();
    b.get();
    // THEN
    expect(a.calls()).toBe(1);
    expect(b.calls()).toBe(2);
  });
});
