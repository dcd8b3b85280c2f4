import { describe, expect, it } from 'vitest';
import { ConsistencyTracker } from '../src/consistency.js';

describe('ConsistencyTracker', () => {
  it('counts a detail read older than the version acknowledged when it was sent', () => {
    const tracker = new ConsistencyTracker();
    tracker.acknowledgeWrite(7, 3, 10);
    const expected = tracker.expect(7);
    tracker.checkDetail(7, expected, 200, 3, 0);
    tracker.checkDetail(7, expected, 200, 4, 0);
    expect(tracker.stale).toHaveLength(0);
    tracker.checkDetail(7, expected, 200, 2, 0);
    expect(tracker.stale.map((s) => s.what)).toEqual([
      'GET /properties/7 answered version 2, acknowledged 3',
    ]);
  });

  it('accepts the old version from a read sent before the write was acknowledged', () => {
    const tracker = new ConsistencyTracker();
    tracker.acknowledgeWrite(7, 1, 1);
    const sentBefore = tracker.expect(7);
    tracker.acknowledgeWrite(7, 2, 2);
    tracker.checkDetail(7, sentBefore, 200, 1, 0);
    expect(tracker.stale).toHaveLength(0);
  });

  it('counts a listing served after its delete was acknowledged, in a detail read and in a list', () => {
    const tracker = new ConsistencyTracker();
    tracker.acknowledgeWrite(7, 1, 1);
    tracker.beginDelete(7);
    tracker.acknowledgeDelete(7, 2);
    tracker.checkDetail(7, tracker.expect(7), 200, 1, 0);
    tracker.checkDetail(7, tracker.expect(7), 404, undefined, 0);
    tracker.checkList(
      '/l',
      new Map([[7, tracker.expect(7)]]),
      2,
      { dataVersion: 2, items: [{ id: 7, version: 1 }] },
      0,
      true,
    );
    expect(tracker.stale).toHaveLength(2);
  });

  it('counts a list page older than the last acknowledged write, and a missing acknowledged listing', () => {
    const tracker = new ConsistencyTracker();
    tracker.acknowledgeWrite(1, 1, 5);
    tracker.acknowledgeWrite(2, 1, 6);
    const expected = new Map([
      [1, tracker.expect(1)],
      [2, tracker.expect(2)],
    ]);
    tracker.checkList('/l', expected, 6, { dataVersion: 5, items: [{ id: 1, version: 1 }] }, 0, true);
    expect(tracker.stale.map((s) => s.what)).toEqual([
      'GET /l answered dataVersion 5, a write had acknowledged 6',
      'GET /l did not list 2, whose creation was acknowledged',
    ]);
  });

  it('does not count a listing missing from a list while its delete was in flight', () => {
    const tracker = new ConsistencyTracker();
    tracker.acknowledgeWrite(1, 1, 1);
    const expected = new Map([[1, tracker.expect(1)]]);
    tracker.beginDelete(1);
    tracker.checkList('/l', expected, 1, { dataVersion: 2, items: [] }, 0, true);
    expect(tracker.stale).toHaveLength(0);
  });
});
