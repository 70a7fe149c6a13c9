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
    const label = resultToLabel(predictionResult('spam'), cls);
    expect(label.value.case === 'classification' && label.value.value.classes).toEqual(['spam']);
    expect(() => resultToLabel([], cls)).toThrow(
      expect.objectContaining({ code: status.INVALID_ARGUMENT, message: expect.stringMatching(/^annotation\.result:/) }),
    );
    expect(() => resultToLabel([{ from_name: 'label', to_name: 'text', type: 'textarea', value: {} }], cls)).toThrow(/annotation\.result\[0\]\.type/);
  });
});

const cls = { kind: 'classification' as const, classes: ['ham', 'spam'], multiLabel: false };

/** Results as Label Studio 1.23 stores them (exported from its UI/API; shapes per label_studio_sdk control_tags.py). */
describe('resultToLabel per task type', () => {
  it('spans: Labels regions over the text, offsets as given', () => {
    const result = [
      { id: 'r1', from_name: 'label', to_name: 'text', type: 'labels', origin: 'manual', value: { start: 0, end: 12, text: 'Ada Lovelace', labels: ['PER'] } },
      { id: 'r2', from_name: 'label', to_name: 'text', type: 'labels', origin: 'manual', value: { start: 36, end: 42, text: 'London', labels: ['LOC'] } },
    ];
    expect(resultToLabel(result, { kind: 'spans', spanLabels: ['PER', 'LOC'] }).value).toEqual({
      case: 'spans',
      value: expect.objectContaining({
        spans: [expect.objectContaining({ start: 0, end: 12, label: 'PER' }), expect.objectContaining({ start: 36, end: 42, label: 'LOC' })],
      }),
    });
    expect(resultToLabel([], { kind: 'spans', spanLabels: ['PER'] }).value).toEqual({ case: 'spans', value: expect.objectContaining({ spans: [] }) });
  });

  it('boxes: RectangleLabels in percent of original_width/height become pixels', () => {
    // 640x480 image; a box at 25%,50% of 10%x20% is x=160, y=240, 64x96 pixels (worked by hand).
    const result = [
      {
        id: 'b1',
        from_name: 'label',
        to_name: 'text',
        type: 'rectanglelabels',
        original_width: 640,
        original_height: 480,
        image_rotation: 0,
        value: { x: 25, y: 50, width: 10, height: 20, rotation: 0, rectanglelabels: ['cat'] },
      },
    ];
    const v = resultToLabel(result, { kind: 'boxes', boxLabels: ['cat'] }).value;
    expect(v.case === 'boxes' && v.value.boxes.map(({ x, y, width, height, label }) => ({ x, y, width, height, label }))).toEqual([
      { x: 160, y: 240, width: 64, height: 96, label: 'cat' },
    ]);
    expect(() => resultToLabel([{ ...result[0], original_width: undefined }], { kind: 'boxes', boxLabels: ['cat'] })).toThrow(
      /annotation\.result\[0\]\.original_width/,
    );
  });

  it('free text: the TextArea answer', () => {
    const result = [{ id: 't1', from_name: 'label', to_name: 'text', type: 'textarea', value: { text: ['A short summary.'] } }];
    expect(resultToLabel(result, { kind: 'text', maxLength: 100 }).value).toEqual({ case: 'text', value: 'A short summary.' });
  });

  it('preference: Pairwise left/right is a/b', () => {
    const pair = (selected: string) => [{ id: 'p1', from_name: 'label', to_name: 'label', type: 'pairwise', value: { selected } }];
    expect(resultToLabel(pair('left'), { kind: 'preference' }).value).toEqual({ case: 'preference', value: expect.objectContaining({ chosen: 'a' }) });
    expect(resultToLabel(pair('right'), { kind: 'preference' }).value).toEqual({ case: 'preference', value: expect.objectContaining({ chosen: 'b' }) });
    expect(() => resultToLabel(pair('middle'), { kind: 'preference' })).toThrow(/annotation\.result\.value\.selected/);
  });

  it('generates the matching control for each type', () => {
    expect(labelingConfig({ kind: 'spans', spanLabels: ['PER'] })).toMatch(/<Labels name="label" toName="text">\s+<Label value="PER"\/>/);
    expect(labelingConfig({ kind: 'boxes', boxLabels: ['cat'] })).toContain('<Image name="text" value="$image"/>');
    expect(labelingConfig({ kind: 'text', maxLength: 5 })).toContain('<TextArea name="label" toName="text"');
    expect(labelingConfig({ kind: 'preference' })).toContain('<Pairwise name="label" toName="a,b"/>');
  });
});
