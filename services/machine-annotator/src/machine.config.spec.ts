import { ConfigError } from '@labelloop/config';
import { parseMachines } from './machine.config';

const rule = { name: 'prize', version: '1', label: 'spam', when: { keyword: { field: 'text', anyOf: ['prize'] } } };
const project = (annotators: unknown[]) => ({ projects: [{ projectId: 'p', classes: ['ham', 'spam'], annotators }] });
const env = { LF_TOKEN: 't1', MODEL_TOKEN: 't2', LLM_TOKEN: 't3', LLM_KEY: 'sk' };
const problems = (json: unknown, e: NodeJS.ProcessEnv = env): string[] => {
  try {
    parseMachines(json, e);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('parseMachines', () => {
  it('builds each kind under its machine identity, with the token its variable holds', () => {
    const machines = parseMachines(
      project([
        { kind: 'lf', tokenEnv: 'LF_TOKEN', rule },
        { kind: 'model', tokenEnv: 'MODEL_TOKEN', name: 'candidate', version: '7', url: 'http://127.0.0.1:1/predict', minConfidence: 0.8 },
        {
          kind: 'llm',
          tokenEnv: 'LLM_TOKEN',
          apiKeyEnv: 'LLM_KEY',
          baseUrl: 'http://127.0.0.1:1/v1',
          model: 'qwen2.5-7b-instruct',
          prompt: { version: 'p3', system: 'Label emails.' },
        },
      ]),
      env,
    );
    expect(machines.map((m) => [m.annotator, m.token])).toEqual([
      ['machine:lf-prize@1', 't1'],
      ['machine:model-candidate@7', 't2'],
      ['machine:llm-qwen2.5-7b-instruct@p3', 't3'],
    ]);
  });

  it("refuses a rule the lib refuses, or one voting outside the project's classes, naming the field", () => {
    expect(problems(project([{ kind: 'lf', tokenEnv: 'LF_TOKEN', rule: { ...rule, when: { regex: { field: 'text', pattern: '(a+)+$' } } } }]))).toEqual([
      expect.stringMatching(/^MACHINE_ANNOTATORS\.projects\[0\]\.annotators\[0\]\.rule\.when\.regex\.pattern: may backtrack catastrophically/),
    ]);
    expect(problems(project([{ kind: 'lf', tokenEnv: 'LF_TOKEN', rule: { ...rule, label: 'eggs' } }]))).toEqual([
      'MACHINE_ANNOTATORS.projects[0].annotators[0].rule.label: "eggs" is not in the project\'s classes (ham, spam)',
    ]);
  });

  it('refuses a missing token, an unset API key, a bad field and a machine configured twice', () => {
    expect(problems(project([{ kind: 'lf', tokenEnv: 'NOPE', rule }]))).toEqual(['MACHINE_ANNOTATORS.projects[0].annotators[0].tokenEnv: NOPE is not set']);
    expect(
      problems(
        project([{ kind: 'llm', tokenEnv: 'LLM_TOKEN', apiKeyEnv: 'UNSET', baseUrl: 'http://h/v1', model: 'm', prompt: { version: 'p', system: 's' } }]),
      ),
    ).toEqual(['MACHINE_ANNOTATORS.projects[0].annotators[0]: apiKeyEnv: UNSET is not set']);
    expect(problems(project([{ kind: 'model', tokenEnv: 'MODEL_TOKEN', name: 'c', version: '1', url: 'not a url' }]))).toEqual([
      'MACHINE_ANNOTATORS.projects[0].annotators[0].url: Invalid url',
    ]);
    expect(
      problems(
        project([
          { kind: 'lf', tokenEnv: 'LF_TOKEN', rule },
          { kind: 'lf', tokenEnv: 'LF_TOKEN', rule },
        ]),
      ),
    ).toEqual(['MACHINE_ANNOTATORS.projects[0].annotators[1]: machine:lf-prize@1 is configured twice in project p']);
  });
});
