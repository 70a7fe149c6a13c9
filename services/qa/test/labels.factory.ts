/** Labels of every task type, for QA's specs: spans and boxes as [start, end, label] / [x, y, width, height, label] tuples. */
import { create } from '@bufbuild/protobuf';
import { type Label, LabelSchema } from '@labelloop/contracts';

/** A span as a tuple: start, end (exclusive), label. */
export type SpanTuple = [number, number, string];
/** A box as a tuple: x, y, width, height (pixels), label. */
export type BoxTuple = [number, number, number, number, string];

export const spans = (...s: SpanTuple[]): Label =>
  create(LabelSchema, { value: { case: 'spans', value: { spans: s.map(([start, end, label]) => ({ start, end, label })) } } });
export const boxes = (...b: BoxTuple[]): Label =>
  create(LabelSchema, { value: { case: 'boxes', value: { boxes: b.map(([x, y, width, height, label]) => ({ x, y, width, height, label })) } } });
export const classes = (...c: string[]): Label => create(LabelSchema, { value: { case: 'classification', value: { classes: c } } });
export const text = (t: string): Label => create(LabelSchema, { value: { case: 'text', value: t } });
export const preference = (chosen: string): Label => create(LabelSchema, { value: { case: 'preference', value: { chosen } } });

/** The spans of a label as tuples (none for another kind). */
export const spanTuples = (l: Label | undefined): SpanTuple[] =>
  l?.value.case === 'spans' ? l.value.value.spans.map((s) => [s.start, s.end, s.label] as SpanTuple) : [];
/** The boxes of a label as tuples (none for another kind). */
export const boxTuples = (l: Label | undefined): BoxTuple[] =>
  l?.value.case === 'boxes' ? l.value.value.boxes.map((b) => [b.x, b.y, b.width, b.height, b.label] as BoxTuple) : [];
