import { parseSeldonTopic, seldonTopicPattern } from './seldon-topics';

describe('Seldon model topics', () => {
  const p = seldonTopicPattern('seldon', ['default', 'models']);

  it('reads the namespace, model and half of a model topic', () => {
    expect(parseSeldonTopic(p, 'seldon.default.model.iris.inputs')).toEqual({ namespace: 'default', model: 'iris', part: 'request' });
    expect(parseSeldonTopic(p, 'seldon.models.model.income-v2.outputs')).toEqual({ namespace: 'models', model: 'income-v2', part: 'response' });
  });

  it('ignores pipelines, the errors topic, other namespaces and prefixes', () => {
    for (const t of [
      'seldon.default.pipeline.iris.inputs',
      'seldon.default.errors.errors',
      'seldon.other.model.iris.inputs',
      'myorg.default.model.iris.inputs',
      'seldonXdefault.model.iris.inputs',
    ]) {
      expect(parseSeldonTopic(p, t)).toBeUndefined();
    }
  });
});
