import type { Label } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';

/** The label schema of a project (classification for now; spans, boxes and text follow). */
export interface ProjectLabelSchema {
  kind: 'classification';
  /** Allowed classes; empty = any non-empty class name. */
  classes: string[];
  multiLabel: boolean;
}

/**
 * Refuses a label that does not fit the schema with INVALID_ARGUMENT naming the field, before
 * anything is written.
 */
export function checkLabel(label: Label | undefined, schema: ProjectLabelSchema): asserts label is Label {
  if (!label || label.value.case === undefined) throw invalidArgument('label', 'is required');
  if (label.value.case !== schema.kind) throw invalidArgument('label', `must be a ${schema.kind} label, got ${label.value.case}`);
  const classes = label.value.value.classes;
  if (classes.length === 0) throw invalidArgument('label.classification.classes', 'needs at least one class');
  if (!schema.multiLabel && classes.length > 1) throw invalidArgument('label.classification.classes', 'single-label project: give exactly one class');
  if (new Set(classes).size !== classes.length) throw invalidArgument('label.classification.classes', 'has a repeated class');
  classes.forEach((c, i) => {
    if (!c) throw invalidArgument(`label.classification.classes[${i}]`, 'is empty');
    if (schema.classes.length > 0 && !schema.classes.includes(c)) {
      throw invalidArgument(`label.classification.classes[${i}]`, `unknown class "${c}" (allowed: ${schema.classes.join(', ')})`);
    }
  });
}
