import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { LabelSchema as LabelPb } from '@labelloop/contracts';
import { checkLabel } from './label-schema';

const schema = { kind: 'classification' as const, classes: ['ham', 'spam'], multiLabel: false };
const cls = (...classes: string[]) => create(LabelPb, { value: { case: 'classification', value: { classes } } });

describe('checkLabel', () => {
  it('accepts a label that fits', () => {
    expect(() => checkLabel(cls('spam'), schema)).not.toThrow();
  });

  it.each([
    [undefined, 'label'],
    [cls(), 'label.classification.classes'],
    [cls('ham', 'spam'), 'label.classification.classes'],
    [cls('eggs'), 'label.classification.classes[0]'],
    [create(LabelPb, { value: { case: 'text', value: 'spam' } }), 'label'],
  ])('refuses %#, naming %s', (label, field) => {
    try {
      checkLabel(label, schema);
      throw new Error('expected refusal');
    } catch (e) {
      expect((e as { code: number }).code).toBe(status.INVALID_ARGUMENT);
      expect((e as Error).message.startsWith(`${field}:`)).toBe(true);
    }
  });
});
