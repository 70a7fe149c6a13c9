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

/**
 * The Label Studio labeling config (XML) for a project's label schema: the item's text (or the
 * text at its URL) and a Choices control with the schema's classes (multiple choice for
 * multi-label projects).
 */
export function labelingConfig(schema: ProjectLabelSchema, mode: LsContentMode = 'text'): string {
  if (schema.kind !== 'classification') throw new Error(`no Label Studio config for ${schema.kind} projects yet`);
  if (schema.classes.length === 0) throw new Error('a Label Studio project needs the list of classes (DISPATCH_LABEL_CLASSES)');
  const choices = schema.classes.map((c) => `    <Choice value="${xmlAttr(c)}"/>`).join('\n');
  return [
    '<View>',
    mode === 'url' ? `  <Text name="${LS_TO_NAME}" value="$url" valueType="url"/>` : `  <Text name="${LS_TO_NAME}" value="$text"/>`,
    `  <Choices name="${LS_FROM_NAME}" toName="${LS_TO_NAME}" choice="${schema.multiLabel ? 'multiple' : 'single'}" required="true">`,
    choices,
    '  </Choices>',
    '</View>',
  ].join('\n');
}

/** One region of a Label Studio annotation or prediction result. */
export interface LsResult {
  from_name: string;
  to_name: string;
  type: string;
  value: { choices?: string[] };
}

/** The prediction (pre-annotation) for a model's predicted class. */
export function predictionResult(predictedClass: string): LsResult[] {
  return [{ from_name: LS_FROM_NAME, to_name: LS_TO_NAME, type: 'choices', value: { choices: [predictedClass] } }];
}

/**
 * A Label Studio annotation result as a LabelLoop label. A result that is not our Choices
 * control is refused with INVALID_ARGUMENT naming the field (the schema check names the rest).
 */
export function resultToLabel(result: LsResult[] | undefined, _schema?: ProjectLabelSchema): Label {
  const region = (result ?? []).find((r) => r.from_name === LS_FROM_NAME);
  if (!region) throw invalidArgument('annotation.result', `has no "${LS_FROM_NAME}" choice`);
  if (region.type !== 'choices' || !Array.isArray(region.value?.choices))
    throw invalidArgument('annotation.result.value.choices', `expected a choices result, got ${region.type}`);
  return create(LabelPb, { value: { case: 'classification', value: { classes: region.value.choices } } });
}
