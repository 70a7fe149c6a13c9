import { create, fromBinary } from '@bufbuild/protobuf';
import { AnnotationRequestedSchema } from '@labelloop/contracts';
import { overlapTasks } from './overlap-tasks';

describe('overlapTasks', () => {
  const req = (itemId: string, priority: number) => create(AnnotationRequestedSchema, { itemId, projectId: 'spam', priority, inputUri: `text of ${itemId}` });

  it('makes k tasks per item keyed <item>#1..k, column by column in event order', () => {
    const t = overlapTasks([{ message: req('a', 5), traceparent: 'tp-a' }, { message: req('b', 0) }], 3);
    expect(t.taskKeys).toEqual(['a#1', 'a#2', 'a#3', 'b#1', 'b#2', 'b#3']);
    expect(t.itemIds).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(t.projectIds).toEqual(Array(6).fill('spam'));
    expect(t.priorities).toEqual([5, 5, 5, 0, 0, 0]);
    expect(t.traceparents).toEqual(['tp-a', 'tp-a', 'tp-a', null, null, null]);
    expect(t.requests.map((b) => fromBinary(AnnotationRequestedSchema, b).inputUri)).toEqual([
      'text of a',
      'text of a',
      'text of a',
      'text of b',
      'text of b',
      'text of b',
    ]);
  });

  it('gives a redelivered request the keys it had the first time', () => {
    expect(overlapTasks([{ message: req('a', 1) }], 2).taskKeys).toEqual(overlapTasks([{ message: req('a', 1) }], 2).taskKeys);
  });

  it('writes nothing for an empty batch', () => {
    expect(overlapTasks([], 2)).toEqual({ taskKeys: [], itemIds: [], projectIds: [], priorities: [], requests: [], traceparents: [] });
  });
});
