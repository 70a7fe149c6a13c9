import { create } from '@bufbuild/protobuf';
import { QaPolicySchema } from '@labelloop/contracts';
import { qaConfigSchema } from '../qa.config';
import { defaultPolicy, qaPolicyToProto, QaPolicyError, resolveQaPolicy } from './policy';

describe('QA policy: max_answers (adaptive overlap)', () => {
  const defaults = defaultPolicy(qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://x' }));

  it('is off unless a project or QA_MAX_ANSWERS turns it on', () => {
    expect(defaults.maxAnswers).toBe(0);
    expect(resolveQaPolicy(create(QaPolicySchema, { projectId: 'p' }), defaults, 'p/v1').maxAnswers).toBe(0);
    const on = defaultPolicy(qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://x', QA_MAX_ANSWERS: '3' }));
    expect(resolveQaPolicy(create(QaPolicySchema, { projectId: 'p' }), on, 'p/v1').maxAnswers).toBe(3);
    expect(resolveQaPolicy(create(QaPolicySchema, { projectId: 'p', maxAnswers: 0 }), on, 'p/v1').maxAnswers).toBe(0);
  });

  it('is returned by the API as set, and refused above 20 naming the field', () => {
    const p = resolveQaPolicy(create(QaPolicySchema, { projectId: 'p', maxAnswers: 4 }), defaults, 'p/v2');
    expect(qaPolicyToProto('p', p).maxAnswers).toBe(4);
    const refused = (() => {
      try {
        return resolveQaPolicy(create(QaPolicySchema, { projectId: 'p', maxAnswers: 21 }), defaults, 'p/v3');
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(QaPolicyError);
    expect(refused).toMatchObject({ field: 'max_answers', problem: 'must be in [0, 20], got 21' });
  });
});
