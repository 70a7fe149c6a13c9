import { labelingFunction } from '@labelloop/machine-annotators';
import { buildScenario, corpus } from './scenario';
import { machineAnnotatorsConfig, machineIdentities, spamRules } from './machines';

describe("the demo's machine annotators", () => {
  it('each labeling function holds at 95 % precision or more on the early groups v1 is trained on (what its authors could see)', () => {
    const early = buildScenario(1, 2732).earlyTrain.map((id) => corpus().get(id)!);
    for (const spec of spamRules()) {
      const fn = labelingFunction(spec, ['ham', 'spam']);
      const fired = early.filter((r) => fn.apply({ text: r.text }) !== undefined);
      const right = fired.filter((r) => fn.apply({ text: r.text }) === r.label).length;
      expect({ rule: spec.name, fired: fired.length > 20, precision: right / fired.length >= 0.95 }).toEqual({ rule: spec.name, fired: true, precision: true });
    }
  });

  it('MACHINE_ANNOTATORS names one token variable per identity, in the same order', () => {
    const cfg = JSON.parse(machineAnnotatorsConfig('p', 'http://127.0.0.1:1/predict')) as { projects: { annotators: { tokenEnv: string }[] }[] };
    expect(cfg.projects[0].annotators.map((a) => a.tokenEnv)).toEqual(machineIdentities().map((m) => m.tokenEnv));
    expect(new Set(machineIdentities().map((m) => m.identity)).size).toBe(machineIdentities().length);
  });
});
