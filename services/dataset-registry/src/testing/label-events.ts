import { create } from '@bufbuild/protobuf';
import { LabelAccepted, LabelAcceptedSchema, LabelSchema } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';

/** An accepted label as the registry's specs write it: one item, one label of any task type. */
export interface TestLabel {
  item: string;
  /** Classes joined with `|` (classification); ignored for the other types. */
  label: string;
  content?: string;
  confidence?: number;
  agreement?: number;
  audit?: boolean;
  boxes?: { x: number; y: number; width: number; height: number; label: string }[];
  spans?: { start: number; end: number; label: string }[];
  text?: string;
  chosen?: string;
  contentText?: string;
  /** Image width and height in pixels. */
  size?: [number, number];
  inputUri?: string;
  annotators?: string[];
}

function labelOf(l: TestLabel): LabelAccepted['label'] {
  return create(LabelSchema, {
    value: l.boxes
      ? { case: 'boxes', value: { boxes: l.boxes } }
      : l.spans
        ? { case: 'spans', value: { spans: l.spans } }
        : l.text !== undefined
          ? { case: 'text', value: l.text }
          : l.chosen !== undefined
            ? { case: 'preference', value: { chosen: l.chosen } }
            : { case: 'classification', value: { classes: l.label.split('|') } },
  });
}

/** Builds LabelAccepted events as the consumer receives them, with ids `la-<run>-<n>`. */
export function labelEvents(run: string) {
  let n = 0;
  return (project: string, l: TestLabel): ConsumedEvent<LabelAccepted> => {
    const id = `la-${run}-${++n}`;
    return {
      id,
      envelope: {} as never,
      topic: 'labelloop.label.accepted.v1',
      partition: 0,
      offset: String(n),
      key: l.item,
      value: Buffer.alloc(0),
      message: create(LabelAcceptedSchema, {
        itemId: l.item,
        projectId: project,
        label: labelOf(l),
        contentText: l.contentText ?? '',
        imageWidth: l.size?.[0] ?? 0,
        imageHeight: l.size?.[1] ?? 0,
        confidence: l.confidence ?? 0.9,
        agreement: l.agreement ?? 1,
        annotatorIds: l.annotators ?? ['alice', 'bob'],
        modelId: 'm',
        modelVersion: '1',
        trigger: 'low_confidence',
        strategy: 'uncertainty',
        sourceEventId: `src-${l.item}`,
        inputUri: l.inputUri ?? `corpus://${l.item}`,
        contentHash: l.content ?? `sha256:${l.item}`,
        guidelineVersion: 'g1',
        auditSample: l.audit ?? false,
        qaPolicyVersion: 'qa1',
      }),
    };
  };
}
