import { create } from '@bufbuild/protobuf';
import { Label, LabelSchema as LabelPb } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';
import type { ProjectLabelSchema } from '../labels/label-schema';

/** Names used in the generated labeling config; results are read back by these names. */
export const LS_FROM_NAME = 'label';
export const LS_TO_NAME = 'text';

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * How a Label Studio project shows its items: `text` (the task's `data.text`, put there by the
 * service) or `url` (the browser loads `data.url`: `valueType="url"`).
 */
export type LsContentMode = 'text' | 'url';

/** Names of the two sides of a preference pair in the config (Pairwise's `left` and `right`). */
export const LS_PAIR = ['a', 'b'] as const;

const labelTags = (tag: string, names: string[]) => names.map((c) => `    <${tag} value="${xmlAttr(c)}"/>`).join('\n');

/** The item's text (or the text at its URL) as the config shows it. */
const textTag = (mode: LsContentMode) =>
  mode === 'url' ? `  <Text name="${LS_TO_NAME}" value="$url" valueType="url"/>` : `  <Text name="${LS_TO_NAME}" value="$text"/>`;

/**
 * The Label Studio labeling config (XML) for a project's label schema: Choices over the item's
 * text (multiple choice for multi-label); Labels over the text for spans; RectangleLabels over
 * the image (`data.image`) for boxes; a TextArea under the text for free text (one answer; its
 * length is checked against `max_length` when it comes back); for a preference pair the prompt and Pairwise over the two
 * outputs (`data.a` left, `data.b` right).
 */
export function labelingConfig(schema: ProjectLabelSchema, mode: LsContentMode = 'text'): string {
  const lines = ['<View>'];
  switch (schema.kind) {
    case 'classification':
      if (schema.classes.length === 0) throw new Error('a Label Studio project needs the list of classes (DISPATCH_LABEL_CLASSES)');
      lines.push(
        textTag(mode),
        `  <Choices name="${LS_FROM_NAME}" toName="${LS_TO_NAME}" choice="${schema.multiLabel ? 'multiple' : 'single'}" required="true">`,
        labelTags('Choice', schema.classes),
        '  </Choices>',
      );
      break;
    case 'spans':
      lines.push(`  <Labels name="${LS_FROM_NAME}" toName="${LS_TO_NAME}">`, labelTags('Label', schema.spanLabels), '  </Labels>', textTag('text'));
      break;
    case 'boxes':
      lines.push(
        `  <Image name="${LS_TO_NAME}" value="$image"/>`,
        `  <RectangleLabels name="${LS_FROM_NAME}" toName="${LS_TO_NAME}">`,
        labelTags('Label', schema.boxLabels),
        '  </RectangleLabels>',
      );
      break;
    case 'text':
      lines.push(textTag('text'), `  <TextArea name="${LS_FROM_NAME}" toName="${LS_TO_NAME}" maxSubmissions="1" required="true"/>`);
      break;
    case 'preference':
      lines.push(
        '  <Text name="prompt" value="$prompt"/>',
        `  <Text name="${LS_PAIR[0]}" value="$a"/>`,
        `  <Text name="${LS_PAIR[1]}" value="$b"/>`,
        `  <Pairwise name="${LS_FROM_NAME}" toName="${LS_PAIR.join(',')}"/>`,
      );
      break;
  }
  lines.push('</View>');
  return lines.join('\n');
}

/** One region of a Label Studio annotation or prediction result. */
export interface LsResult {
  from_name: string;
  to_name: string;
  type: string;
  /** Pixel size of the image a rectangle was drawn on (RectangleLabels). */
  original_width?: number;
  original_height?: number;
  value: {
    choices?: string[];
    /** Labels: character offsets in the text and the text marked. */
    start?: number;
    end?: number;
    text?: string | string[];
    labels?: string[];
    /** RectangleLabels: percent of the image's size. */
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    rectanglelabels?: string[];
    /** Pairwise: `left` (= a) or `right` (= b). */
    selected?: string;
  };
}

/** The prediction (pre-annotation) for a model's predicted class. */
export function predictionResult(predictedClass: string): LsResult[] {
  return [{ from_name: LS_FROM_NAME, to_name: LS_TO_NAME, type: 'choices', value: { choices: [predictedClass] } }];
}

const one = (r: LsResult, field: 'labels' | 'rectanglelabels', i: number): string => {
  const v = r.value[field];
  if (!Array.isArray(v) || v.length !== 1) throw invalidArgument(`annotation.result[${i}].value.${field}`, 'needs exactly one label');
  return v[0];
};

/** A percent of the image's size as pixels (Label Studio stores rectangles in percent of original_width/height). */
function pixels(r: LsResult, i: number): { x: number; y: number; width: number; height: number } {
  const w = r.original_width;
  const h = r.original_height;
  if (!w || !h) throw invalidArgument(`annotation.result[${i}].original_width`, 'and original_height are needed to place the box in pixels');
  const { x = NaN, y = NaN, width = NaN, height = NaN } = r.value;
  return { x: (x * w) / 100, y: (y * h) / 100, width: (width * w) / 100, height: (height * h) / 100 };
}

/**
 * A Label Studio annotation result as a LabelLoop label of the schema's task type. A result
 * that is not our control's is refused with INVALID_ARGUMENT naming the field (the schema check
 * names the rest). Spans and boxes may be none (nothing to mark); the others need one answer.
 */
export function resultToLabel(result: LsResult[] | undefined, schema: ProjectLabelSchema): Label {
  const ours = (result ?? []).map((r, i) => ({ r, i })).filter(({ r }) => r.from_name === LS_FROM_NAME);
  const expect = (type: string) => {
    const wrong = ours.find(({ r }) => r.type !== type);
    if (wrong) throw invalidArgument(`annotation.result[${wrong.i}].type`, `expected ${type}, got ${wrong.r.type}`);
    return ours;
  };
  const first = (type: string) => {
    const [region] = expect(type);
    if (!region) throw invalidArgument('annotation.result', `has no "${LS_FROM_NAME}" ${type} result`);
    return region.r;
  };
  switch (schema.kind) {
    case 'classification': {
      const r = first('choices');
      if (!Array.isArray(r.value?.choices)) throw invalidArgument('annotation.result.value.choices', 'is missing');
      return create(LabelPb, { value: { case: 'classification', value: { classes: r.value.choices } } });
    }
    case 'spans':
      return create(LabelPb, {
        value: {
          case: 'spans',
          value: { spans: expect('labels').map(({ r, i }) => ({ start: r.value.start ?? 0, end: r.value.end ?? 0, label: one(r, 'labels', i) })) },
        },
      });
    case 'boxes':
      return create(LabelPb, {
        value: { case: 'boxes', value: { boxes: expect('rectanglelabels').map(({ r, i }) => ({ ...pixels(r, i), label: one(r, 'rectanglelabels', i) })) } },
      });
    case 'text': {
      const t = first('textarea').value.text;
      return create(LabelPb, { value: { case: 'text', value: Array.isArray(t) ? t.join('\n') : (t ?? '') } });
    }
    case 'preference': {
      const sel = first('pairwise').value.selected;
      if (sel !== 'left' && sel !== 'right') throw invalidArgument('annotation.result.value.selected', `must be left or right, got ${sel}`);
      return create(LabelPb, { value: { case: 'preference', value: { chosen: sel === 'left' ? 'a' : 'b' } } });
    }
  }
}
