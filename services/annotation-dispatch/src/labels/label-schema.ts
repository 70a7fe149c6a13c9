import type { Label } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';

/** The task types a project can have; each is the `Label` oneof case its answers use. */
export const TASK_TYPES = ['classification', 'spans', 'boxes', 'text', 'preference'] as const;
/** What annotators of a project produce. */
export type TaskTypeName = (typeof TASK_TYPES)[number];

/**
 * The label schema of a project: its task type and that type's constraints. Stored versioned per
 * project (`label_schema`); a project without one uses the deployment's classification default.
 */
export type ProjectLabelSchema =
  | {
      kind: 'classification';
      /** Allowed classes; empty = any non-empty class name (the deployment default only). */
      classes: string[];
      multiLabel: boolean;
    }
  | { kind: 'spans'; spanLabels: string[] }
  | { kind: 'boxes'; boxLabels: string[] }
  | { kind: 'text'; maxLength: number }
  | { kind: 'preference' };

/** What is known of the item a label is about, for the checks that need it. */
export interface ItemFacts {
  /** Length of the item's text as the annotator saw it (UTF-16 code units, as Label Studio counts); undefined = unknown. */
  textLength?: number;
  /** Pixel size of an image item; 0 or undefined = unknown. */
  imageWidth?: number;
  imageHeight?: number;
}

/**
 * Refuses a label that does not fit the schema with INVALID_ARGUMENT naming the field, before
 * anything is written.
 */
export function checkLabel(label: Label | undefined, schema: ProjectLabelSchema, item: ItemFacts = {}): asserts label is Label {
  if (!label || label.value.case === undefined) throw invalidArgument('label', 'is required');
  if (label.value.case !== schema.kind) throw invalidArgument('label', `must be a ${schema.kind} label, got ${label.value.case}`);
  const v = label.value;
  if (v.case === 'classification' && schema.kind === 'classification') checkClasses(v.value.classes, schema);
  else if (v.case === 'spans' && schema.kind === 'spans') checkSpans(v.value.spans, schema.spanLabels, item);
  else if (v.case === 'boxes' && schema.kind === 'boxes') checkBoxes(v.value.boxes, schema.boxLabels, item);
  else if (v.case === 'text' && schema.kind === 'text') checkText(v.value, schema.maxLength);
  else if (v.case === 'preference' && !['a', 'b'].includes(v.value.chosen)) {
    throw invalidArgument('label.preference.chosen', `must be "a" or "b", got "${v.value.chosen}"`);
  }
}

function checkClasses(classes: string[], schema: { classes: string[]; multiLabel: boolean }): void {
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

function checkSpans(spans: { start: number; end: number; label: string }[], allowed: string[], item: ItemFacts): void {
  const seen = new Set<string>();
  spans.forEach((s, i) => {
    const at = `label.spans.spans[${i}]`;
    if (s.start >= s.end) throw invalidArgument(`${at}.end`, `must be after start (start ${s.start}, end ${s.end})`);
    if (item.textLength !== undefined && s.end > item.textLength)
      throw invalidArgument(`${at}.end`, `${s.end} is past the end of the item's text (${item.textLength} characters)`);
    if (!allowed.includes(s.label)) throw invalidArgument(`${at}.label`, `unknown span label "${s.label}" (allowed: ${allowed.join(', ')})`);
    const key = `${s.start}|${s.end}|${s.label}`;
    if (seen.has(key)) throw invalidArgument(at, `repeats span ${s.start}-${s.end} "${s.label}"`);
    seen.add(key);
  });
}

function checkBoxes(boxes: { x: number; y: number; width: number; height: number; label: string }[], allowed: string[], item: ItemFacts): void {
  boxes.forEach((b, i) => {
    const at = `label.boxes.boxes[${i}]`;
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      if (!Number.isFinite(b[k])) throw invalidArgument(`${at}.${k}`, `must be a finite number, got ${b[k]}`);
    }
    if (b.width <= 0) throw invalidArgument(`${at}.width`, `must be > 0, got ${b.width}`);
    if (b.height <= 0) throw invalidArgument(`${at}.height`, `must be > 0, got ${b.height}`);
    if (b.x < 0) throw invalidArgument(`${at}.x`, `must be >= 0, got ${b.x}`);
    if (b.y < 0) throw invalidArgument(`${at}.y`, `must be >= 0, got ${b.y}`);
    if (item.imageWidth && b.x + b.width > item.imageWidth)
      throw invalidArgument(`${at}.width`, `x + width = ${b.x + b.width} is past the image's width ${item.imageWidth}`);
    if (item.imageHeight && b.y + b.height > item.imageHeight)
      throw invalidArgument(`${at}.height`, `y + height = ${b.y + b.height} is past the image's height ${item.imageHeight}`);
    if (!allowed.includes(b.label)) throw invalidArgument(`${at}.label`, `unknown box label "${b.label}" (allowed: ${allowed.join(', ')})`);
  });
}

function checkText(text: string, maxLength: number): void {
  if (!text.trim()) throw invalidArgument('label.text', 'is empty');
  if (text.length > maxLength) throw invalidArgument('label.text', `is ${text.length} characters long, the project allows ${maxLength}`);
}

/** True for the task types whose item is text the annotator reads (and whose event carries it). */
export const isTextTask = (schema: ProjectLabelSchema): boolean => schema.kind === 'spans' || schema.kind === 'text' || schema.kind === 'preference';
