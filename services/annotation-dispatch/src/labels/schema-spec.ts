import { create, equals } from '@bufbuild/protobuf';
import { LabelSchemaSpec, LabelSchemaSpecSchema, TaskType } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';
import type { ProjectLabelSchema } from './label-schema';

/** Longest free-text answer a schema may allow. */
export const MAX_TEXT_LENGTH = 100_000;

const names = (field: string, values: string[]): string[] => {
  if (values.length === 0) throw invalidArgument(field, 'needs at least one name');
  values.forEach((v, i) => {
    if (!v.trim()) throw invalidArgument(`${field}[${i}]`, 'is empty');
    if (v !== v.trim()) throw invalidArgument(`${field}[${i}]`, `"${v}" has leading or trailing spaces`);
  });
  if (new Set(values).size !== values.length) throw invalidArgument(field, 'has a repeated name');
  return [...values];
};

/** Refuses a field set that does not belong to the task type, naming it. */
function onlyFields(spec: LabelSchemaSpec, allowed: (keyof LabelSchemaSpec)[]): void {
  const set: [keyof LabelSchemaSpec, boolean][] = [
    ['classes', spec.classes.length > 0],
    ['multiLabel', spec.multiLabel],
    ['spanLabels', spec.spanLabels.length > 0],
    ['boxLabels', spec.boxLabels.length > 0],
    ['maxLength', spec.maxLength !== 0],
  ];
  const snake: Partial<Record<keyof LabelSchemaSpec, string>> = {
    classes: 'classes',
    multiLabel: 'multi_label',
    spanLabels: 'span_labels',
    boxLabels: 'box_labels',
    maxLength: 'max_length',
  };
  for (const [k, isSet] of set) {
    if (isSet && !allowed.includes(k)) throw invalidArgument(`schema.${snake[k]}`, `does not apply to task type ${TaskType[spec.taskType]}`);
  }
}

/**
 * A schema as an admin sent it, checked: the task type is set, its names are non-empty and
 * distinct, and no field of another task type is set. INVALID_ARGUMENT names the field.
 */
export function schemaFromSpec(spec: LabelSchemaSpec | undefined): ProjectLabelSchema {
  if (!spec) throw invalidArgument('schema', 'is required');
  switch (spec.taskType) {
    case TaskType.CLASSIFICATION:
      onlyFields(spec, ['classes', 'multiLabel']);
      return { kind: 'classification', classes: names('schema.classes', spec.classes), multiLabel: spec.multiLabel };
    case TaskType.SPANS:
      onlyFields(spec, ['spanLabels']);
      return { kind: 'spans', spanLabels: names('schema.span_labels', spec.spanLabels) };
    case TaskType.BOXES:
      onlyFields(spec, ['boxLabels']);
      return { kind: 'boxes', boxLabels: names('schema.box_labels', spec.boxLabels) };
    case TaskType.TEXT:
      onlyFields(spec, ['maxLength']);
      if (spec.maxLength < 1 || spec.maxLength > MAX_TEXT_LENGTH)
        throw invalidArgument('schema.max_length', `must be 1..${MAX_TEXT_LENGTH}, got ${spec.maxLength}`);
      return { kind: 'text', maxLength: spec.maxLength };
    case TaskType.PREFERENCE:
      onlyFields(spec, []);
      return { kind: 'preference' };
    default:
      throw invalidArgument('schema.task_type', 'is required (classification, spans, boxes, text or preference)');
  }
}

const TASK_TYPE_OF: Record<ProjectLabelSchema['kind'], TaskType> = {
  classification: TaskType.CLASSIFICATION,
  spans: TaskType.SPANS,
  boxes: TaskType.BOXES,
  text: TaskType.TEXT,
  preference: TaskType.PREFERENCE,
};

/** The schema as the admin API returns it. */
export function schemaToSpec(s: ProjectLabelSchema): LabelSchemaSpec {
  return create(LabelSchemaSpecSchema, {
    taskType: TASK_TYPE_OF[s.kind],
    classes: s.kind === 'classification' ? s.classes : [],
    multiLabel: s.kind === 'classification' ? s.multiLabel : false,
    spanLabels: s.kind === 'spans' ? s.spanLabels : [],
    boxLabels: s.kind === 'boxes' ? s.boxLabels : [],
    maxLength: s.kind === 'text' ? s.maxLength : 0,
  });
}

/** Two schemas hold the same rules (same type, same names in the same order). */
export const sameSchema = (a: ProjectLabelSchema, b: ProjectLabelSchema): boolean => equals(LabelSchemaSpecSchema, schemaToSpec(a), schemaToSpec(b));
