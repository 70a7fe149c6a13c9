import { labelEvents, TestLabel } from '../testing/label-events';
import { AcceptedLabelConsumer } from './accepted-label.consumer';

const consumer = new AcceptedLabelConsumer({} as never, {} as never, {} as never);
const build = labelEvents('validate');
const problem = (l: Partial<TestLabel>) => consumer.validate(build('p', { item: 'i', label: '', ...l }).message);
const text = 'Ada lived in Rome.';

describe('AcceptedLabelConsumer.validate', () => {
  it('accepts a label of every task type', () => {
    expect(problem({ label: 'spam|ham' })).toBeUndefined();
    expect(problem({ boxes: [{ x: 1, y: 2, width: 3, height: 4, label: 'dog' }], size: [10, 10] })).toBeUndefined();
    expect(problem({ contentText: text, spans: [{ start: 13, end: 17, label: 'LOC' }] })).toBeUndefined();
    expect(problem({ contentText: text, spans: [] })).toBeUndefined(); // a text without entities
    expect(problem({ contentText: 'Summarise.', text: '' })).toBeUndefined(); // an empty answer is an answer
    expect(problem({ contentText: JSON.stringify({ prompt: 'p', a: 'x', b: 'y' }), chosen: 'b' })).toBeUndefined();
  });

  it('refuses labels the exports could not hold, naming the field', () => {
    expect(problem({ label: '' })).toBe('a classification label needs at least one class');
    expect(problem({ boxes: [] })).toBe('a box label needs at least one box');
    expect(problem({ spans: [{ start: 0, end: 3, label: 'PER' }] })).toBe('a span label needs content_text (the text its offsets point into)');
    expect(problem({ contentText: text, spans: [{ start: 13, end: 19, label: 'LOC' }] })).toBe(
      'span [13, 19) must have start < end <= 18 (the length of content_text)',
    );
    expect(problem({ contentText: text, spans: [{ start: 4, end: 4, label: 'LOC' }] })).toBe(
      'span [4, 4) must have start < end <= 18 (the length of content_text)',
    );
    expect(problem({ contentText: text, spans: [{ start: 0, end: 3, label: '' }] })).toBe('every span needs a label');
    expect(problem({ contentText: JSON.stringify({ prompt: 'p', a: 'x', b: 'y' }), chosen: 'c' })).toBe('preference.chosen must be "a" or "b"');
    expect(problem({ contentText: 'not json', chosen: 'a' })).toBe('a preference label needs content_text = JSON {"prompt","a","b"} (strings)');
  });
});
