import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { LabelSchemaSpec, LabelSchemaSpecSchema, TaskType } from '@labelloop/contracts';
import { sameSchema, schemaFromSpec, schemaToSpec } from './schema-spec';

const spec = (s: Partial<LabelSchemaSpec>) => create(LabelSchemaSpecSchema, s);

describe('schemaFromSpec', () => {
  it.each([
    [
      { taskType: TaskType.CLASSIFICATION, classes: ['ham', 'spam'], multiLabel: true },
      { kind: 'classification', classes: ['ham', 'spam'], multiLabel: true },
    ],
    [
      { taskType: TaskType.SPANS, spanLabels: ['PER'] },
      { kind: 'spans', spanLabels: ['PER'] },
    ],
    [
      { taskType: TaskType.BOXES, boxLabels: ['cat'] },
      { kind: 'boxes', boxLabels: ['cat'] },
    ],
    [
      { taskType: TaskType.TEXT, maxLength: 500 },
      { kind: 'text', maxLength: 500 },
    ],
    [{ taskType: TaskType.PREFERENCE }, { kind: 'preference' }],
  ])('reads %j and gives it back unchanged', (s, schema) => {
    expect(schemaFromSpec(spec(s))).toEqual(schema);
    expect(schemaToSpec(schemaFromSpec(spec(s)))).toEqual(spec(s));
  });

  it.each([
    [undefined, 'schema'],
    [{}, 'schema.task_type'],
    [{ taskType: TaskType.CLASSIFICATION }, 'schema.classes'],
    [{ taskType: TaskType.CLASSIFICATION, classes: ['a', 'a'] }, 'schema.classes'],
    [{ taskType: TaskType.CLASSIFICATION, classes: ['a', ''] }, 'schema.classes[1]'],
    [{ taskType: TaskType.CLASSIFICATION, classes: [' a'] }, 'schema.classes[0]'],
    [{ taskType: TaskType.CLASSIFICATION, classes: ['a'], maxLength: 3 }, 'schema.max_length'],
    [{ taskType: TaskType.SPANS, spanLabels: ['PER'], multiLabel: true }, 'schema.multi_label'],
    [{ taskType: TaskType.BOXES }, 'schema.box_labels'],
    [{ taskType: TaskType.BOXES, boxLabels: ['cat'], spanLabels: ['PER'] }, 'schema.span_labels'],
    [{ taskType: TaskType.TEXT, maxLength: 100_001 }, 'schema.max_length'],
    [{ taskType: TaskType.PREFERENCE, boxLabels: ['x'] }, 'schema.box_labels'],
  ])('refuses %j, naming %s', (s, field) => {
    try {
      schemaFromSpec(s && spec(s));
      throw new Error('expected refusal');
    } catch (e) {
      expect((e as { code: number }).code).toBe(status.INVALID_ARGUMENT);
      expect((e as Error).message.startsWith(`${field}:`)).toBe(true);
    }
  });

  it('tells a changed schema from the same one', () => {
    expect(sameSchema({ kind: 'spans', spanLabels: ['PER', 'ORG'] }, { kind: 'spans', spanLabels: ['PER', 'ORG'] })).toBe(true);
    expect(sameSchema({ kind: 'spans', spanLabels: ['PER', 'ORG'] }, { kind: 'spans', spanLabels: ['ORG', 'PER'] })).toBe(false);
    expect(sameSchema({ kind: 'text', maxLength: 5 }, { kind: 'text', maxLength: 6 })).toBe(false);
  });
});
