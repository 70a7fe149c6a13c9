import { pauseRefusal } from './qa-pause';

describe('pauseRefusal', () => {
  it('lets an annotator who is not paused go on', () => {
    expect(pauseRefusal('spam', undefined)).toBeUndefined();
  });

  it('refuses a paused annotator, naming the project and QA reason', () => {
    expect(pauseRefusal('spam', { reason: 'gold accuracy 0.40 < 0.80' })).toBe('paused by QA in project spam: gold accuracy 0.40 < 0.80');
  });
});
