import { describe, expect, it } from 'vitest';
import { oldestFirst } from '../src/age-order.js';
import { Slicer } from '../src/slicer.js';

describe('oldestFirst', () => {
  it('orders many items oldest first, across chunks and pauses, each item exactly once', async () => {
    const count = 5000;
    const ages = new Float64Array(count);
    // Distinct ages spread over a wide range, in a scrambled order.
    for (let i = 0; i < count; i++) ages[i] = 1_800_000_000_000 + ((i * 7919) % count) * 1000;
    // A zero-length slice: every chunk pauses first, so the chunked loops must resume right.
    const order = await oldestFirst(ages, count, new Slicer(0));
    expect(order.length).toBe(count);
    expect(new Set(order).size).toBe(count);
    // Ordered to within one bucket: 1/1024 of the range of ages.
    const width = ((count - 1) * 1000) / 1024;
    let outOfOrder = 0;
    for (let i = 1; i < count; i++) {
      const step = (ages[order[i] as number] as number) - (ages[order[i - 1] as number] as number);
      expect(step).toBeGreaterThan(-width);
      if (step < 0) outOfOrder++;
    }
    expect(ages[order[0] as number]).toBeLessThan(1_800_000_000_000 + width);
    expect(ages[order[count - 1] as number]).toBeGreaterThan(1_800_000_000_000 + (count - 1) * 1000 - width);
    expect(outOfOrder).toBeGreaterThan(0); // the scrambled input is really only bucketed, not sorted
  });

  it('handles no items, one item, and items all of one age (in their given order)', async () => {
    expect(Array.from(await oldestFirst(new Float64Array(0), 0, new Slicer()))).toEqual([]);
    expect(Array.from(await oldestFirst(new Float64Array([5]), 1, new Slicer()))).toEqual([0]);
    expect(Array.from(await oldestFirst(new Float64Array([7, 7, 7]), 3, new Slicer()))).toEqual([0, 1, 2]);
  });
});
