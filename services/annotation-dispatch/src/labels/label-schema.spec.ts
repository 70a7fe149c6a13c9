import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { Label, LabelSchema as LabelPb } from '@labelloop/contracts';
import { checkLabel, ItemFacts, ProjectLabelSchema } from './label-schema';

const single: ProjectLabelSchema = { kind: 'classification', classes: ['ham', 'spam'], multiLabel: false };
const multi: ProjectLabelSchema = { kind: 'classification', classes: ['ham', 'spam', 'phish'], multiLabel: true };
const spansSchema: ProjectLabelSchema = { kind: 'spans', spanLabels: ['PER', 'ORG'] };
const boxesSchema: ProjectLabelSchema = { kind: 'boxes', boxLabels: ['cat', 'dog'] };
const textSchema: ProjectLabelSchema = { kind: 'text', maxLength: 10 };
const prefSchema: ProjectLabelSchema = { kind: 'preference' };

const cls = (...classes: string[]) => create(LabelPb, { value: { case: 'classification', value: { classes } } });
const spans = (...s: [number, number, string][]) =>
  create(LabelPb, { value: { case: 'spans', value: { spans: s.map(([start, end, label]) => ({ start, end, label })) } } });
const box = (x: number, y: number, width: number, height: number, label = 'cat') =>
  create(LabelPb, { value: { case: 'boxes', value: { boxes: [{ x, y, width, height, label }] } } });
const text = (t: string) => create(LabelPb, { value: { case: 'text', value: t } });
const pref = (chosen: string) => create(LabelPb, { value: { case: 'preference', value: { chosen } } });

const image: ItemFacts = { imageWidth: 640, imageHeight: 480 };

describe('checkLabel', () => {
  it.each<[string, Label, ProjectLabelSchema, ItemFacts]>([
    ['one class', cls('spam'), single, {}],
    ['several classes, multi-label', cls('spam', 'phish'), multi, {}],
    ['spans inside the text, overlapping allowed', spans([0, 3, 'PER'], [0, 3, 'ORG'], [2, 5, 'PER']), spansSchema, { textLength: 5 }],
    ['spans, text length unknown', spans([10, 300, 'ORG']), spansSchema, {}],
    ['no span at all (nothing to mark)', spans(), spansSchema, { textLength: 5 }],
    ['a box touching the image edges', box(0, 0, 640, 480), boxesSchema, image],
    ['a box, image size unknown', box(5000, 5000, 1.5, 2.5), boxesSchema, {}],
    ['free text at the limit', text('0123456789'), textSchema, {}],
    ['preference b', pref('b'), prefSchema, {}],
  ])('accepts %s', (_what, label, schema, item) => {
    expect(() => checkLabel(label, schema, item)).not.toThrow();
  });

  it.each<[string, Label | undefined, ProjectLabelSchema, ItemFacts, string]>([
    ['no label', undefined, single, {}, 'label'],
    ['another task type', text('spam'), single, {}, 'label'],
    ['no class', cls(), single, {}, 'label.classification.classes'],
    ['two classes, single-label', cls('ham', 'spam'), single, {}, 'label.classification.classes'],
    ['a repeated class', cls('spam', 'spam'), multi, {}, 'label.classification.classes'],
    ['an unknown class', cls('eggs'), single, {}, 'label.classification.classes[0]'],
    ['an unknown second class', cls('ham', 'eggs'), multi, {}, 'label.classification.classes[1]'],
    ['start = end', spans([3, 3, 'PER']), spansSchema, {}, 'label.spans.spans[0].end'],
    ['start after end', spans([0, 2, 'PER'], [5, 4, 'PER']), spansSchema, {}, 'label.spans.spans[1].end'],
    ['end past the text', spans([0, 6, 'PER']), spansSchema, { textLength: 5 }, 'label.spans.spans[0].end'],
    ['an unknown span label', spans([0, 2, 'LOC']), spansSchema, {}, 'label.spans.spans[0].label'],
    ['a repeated span', spans([0, 2, 'PER'], [0, 2, 'PER']), spansSchema, {}, 'label.spans.spans[1]'],
    ['a wrong type for spans', cls('PER'), spansSchema, {}, 'label'],
    ['x not finite', box(NaN, 0, 1, 1), boxesSchema, {}, 'label.boxes.boxes[0].x'],
    ['height infinite', box(0, 0, 1, Infinity), boxesSchema, {}, 'label.boxes.boxes[0].height'],
    ['width 0', box(0, 0, 0, 1), boxesSchema, {}, 'label.boxes.boxes[0].width'],
    ['height negative', box(0, 0, 1, -2), boxesSchema, {}, 'label.boxes.boxes[0].height'],
    ['x negative', box(-1, 0, 1, 1), boxesSchema, {}, 'label.boxes.boxes[0].x'],
    ['y negative', box(0, -0.5, 1, 1), boxesSchema, {}, 'label.boxes.boxes[0].y'],
    ['past the right edge', box(600, 0, 41, 1), boxesSchema, image, 'label.boxes.boxes[0].width'],
    ['past the bottom edge', box(0, 400, 1, 80.5), boxesSchema, image, 'label.boxes.boxes[0].height'],
    ['an unknown box label', box(0, 0, 1, 1, 'cow'), boxesSchema, image, 'label.boxes.boxes[0].label'],
    ['empty text', text(''), textSchema, {}, 'label.text'],
    ['only spaces', text(' \n\t '), textSchema, {}, 'label.text'],
    ['text over max_length', text('01234567890'), textSchema, {}, 'label.text'],
    ['preference neither a nor b', pref('c'), prefSchema, {}, 'label.preference.chosen'],
    ['preference empty', pref(''), prefSchema, {}, 'label.preference.chosen'],
    ['preference upper case', pref('A'), prefSchema, {}, 'label.preference.chosen'],
  ])('refuses %s, naming %s', (_what, label, schema, item, field) => {
    try {
      checkLabel(label, schema, item);
      throw new Error('expected refusal');
    } catch (e) {
      expect((e as { code: number }).code).toBe(status.INVALID_ARGUMENT);
      expect((e as Error).message.startsWith(`${field}:`)).toBe(true);
    }
  });
});
