import { status } from '@grpc/grpc-js';
import { labelingConfig, predictionResult, resultToLabel } from './labeling-config';

describe('Label Studio labeling config', () => {
  it('lists the classes, escaped, as single or multiple choice', () => {
    const xml = labelingConfig({ kind: 'classification', classes: ['ham', 'spam & "eggs"'], multiLabel: false });
    expect(xml).toContain('<Choice value="ham"/>');
    expect(xml).toContain('<Choice value="spam &amp; &quot;eggs&quot;"/>');
    expect(xml).toContain('choice="single"');
    expect(labelingConfig({ kind: 'classification', classes: ['a'], multiLabel: true })).toContain('choice="multiple"');
  });

  it('shows the task text, or for a URL project the content at data.url (valueType="url")', () => {
    const schema = { kind: 'classification' as const, classes: ['ham'], multiLabel: false };
    expect(labelingConfig(schema)).toContain('<Text name="text" value="$text"/>');
    expect(labelingConfig(schema, 'url')).toContain('<Text name="text" value="$url" valueType="url"/>');
  });

  it('needs the classes', () => {
    expect(() => labelingConfig({ kind: 'classification', classes: [], multiLabel: false })).toThrow(/DISPATCH_LABEL_CLASSES/);
  });

  it('reads back what it writes, and names the field of a foreign result', () => {
    const label = resultToLabel(predictionResult('spam'));
    expect(label.value.case === 'classification' && label.value.value.classes).toEqual(['spam']);
    expect(() => resultToLabel([])).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT, message: expect.stringMatching(/^annotation\.result:/) }));
    expect(() => resultToLabel([{ from_name: 'label', to_name: 'text', type: 'textarea', value: {} }])).toThrow(/annotation\.result\.value\.choices/);
  });
});
