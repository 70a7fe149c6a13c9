import { create } from '@bufbuild/protobuf';
import { type Label, LabelSchema } from '@labelloop/contracts';

/**
 * The task types QA judges. `multi_label` is a classification round in which some answer gives
 * more than one class: it is judged class by class instead of by whole answers.
 */
export type LabelKind = 'classification' | 'multi_label' | 'preference' | 'spans' | 'boxes' | 'text';

/** The kinds whose answers are voted on as whole keys (majority or Dawid–Skene). */
export const CATEGORICAL: ReadonlySet<LabelKind> = new Set(['classification', 'preference']);

/**
 * A span or box answer counts as agreeing with a reference (the gold label, or the item's
 * consensus for scorecards) when its F1 against it is at least this: exact spans, or boxes
 * matched one-to-one at IoU ≥ 0.5 with the same label.
 */
export const STRUCTURED_F1_THRESHOLD = 0.8;

/** Trims, collapses whitespace and case-folds a free-text answer: two answers agree when these are equal. */
export function normaliseText(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The kind of one answer's label (a classification answer with several classes is `multi_label`). */
export function kindOf(label: Label | undefined): LabelKind | undefined {
  switch (label?.value.case) {
    case 'classification':
      return label.value.value.classes.length > 1 ? 'multi_label' : 'classification';
    case 'preference':
    case 'spans':
    case 'boxes':
    case 'text':
      return label.value.case;
    default:
      return undefined;
  }
}

/** Why a label cannot be judged, naming the field; undefined when it can. */
export function labelProblem(label: Label | undefined): string | undefined {
  const v = label?.value;
  switch (v?.case) {
    case 'classification':
      return v.value.classes.length === 0 || v.value.classes.some((c) => !c) ? 'label.classification.classes needs at least one non-empty class' : undefined;
    case 'preference':
      return v.value.chosen === 'a' || v.value.chosen === 'b' ? undefined : 'label.preference.chosen must be "a" or "b"';
    case 'spans':
      for (const [i, s] of v.value.spans.entries()) {
        if (!(s.end > s.start)) return `label.spans.spans[${i}] needs end > start`;
        if (!s.label) return `label.spans.spans[${i}].label is required`;
      }
      return undefined;
    case 'boxes':
      for (const [i, b] of v.value.boxes.entries()) {
        if (![b.x, b.y, b.width, b.height].every(Number.isFinite) || b.width < 0 || b.height < 0)
          return `label.boxes.boxes[${i}] needs finite coordinates with width, height >= 0`;
        if (!b.label) return `label.boxes.boxes[${i}].label is required`;
      }
      return undefined;
    case 'text':
      return v.value.trim() ? undefined : 'label.text must not be blank';
    default:
      return 'label is missing';
  }
}

/**
 * The canonical key of a label, what answers are compared and stored by (`qa_answer.label_key`):
 * classification: its classes sorted, joined by `|`; preference: `a` or `b`; spans and boxes:
 * canonical JSON of the sorted spans / boxes (`{"spans":[[start,end,label],…]}`,
 * `{"boxes":[[x,y,width,height,label],…]}`), from which `labelFromKey` rebuilds the label;
 * free text: `{"text":…}` of the normalised text. Undefined for a label QA cannot judge.
 */
export function labelKey(label: Label | undefined): string | undefined {
  if (labelProblem(label) !== undefined || !label) return undefined;
  const v = label.value;
  switch (v.case) {
    case 'classification':
      return [...v.value.classes].sort().join('|');
    case 'preference':
      return v.value.chosen;
    case 'spans':
      return JSON.stringify({ spans: v.value.spans.map((s) => [s.start, s.end, s.label]).sort(compareTuples) });
    case 'boxes':
      return JSON.stringify({ boxes: v.value.boxes.map((b) => [b.x, b.y, b.width, b.height, b.label]).sort(compareTuples) });
    case 'text':
      return JSON.stringify({ text: normaliseText(v.value) });
    default:
      return undefined;
  }
}

function compareTuples(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return typeof a[i] === 'number' ? (a[i] as number) - (b[i] as number) : String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return 0;
}

/**
 * The label a key stands for, for keys that determine it (classification, spans, boxes); a
 * free-text key is normalised, so the accepted text is taken from an answer instead.
 */
export function labelFromKey(key: string): Label {
  if (!key.startsWith('{')) return create(LabelSchema, { value: { case: 'classification', value: { classes: key.split('|') } } });
  const parsed = JSON.parse(key) as { spans?: [number, number, string][]; boxes?: [number, number, number, number, string][] };
  if (parsed.spans)
    return create(LabelSchema, { value: { case: 'spans', value: { spans: parsed.spans.map(([start, end, label]) => ({ start, end, label })) } } });
  if (parsed.boxes)
    return create(LabelSchema, {
      value: { case: 'boxes', value: { boxes: parsed.boxes.map(([x, y, width, height, label]) => ({ x, y, width, height, label })) } },
    });
  throw new Error(`label key ${key.slice(0, 40)} does not determine a label`);
}
