/**
 * Which machines answer which project's tasks. Validated once, before anything starts, and
 * refused with a message that names the bad field (`MACHINE_ANNOTATORS.projects[0].annotators[1].rule.when.regex.pattern: …`).
 *
 *   MACHINE_ANNOTATORS (or MACHINE_ANNOTATORS_FILE): JSON
 *   { "projects": [ { "projectId": "spam", "classes": ["ham", "spam"], "annotators": [
 *       { "kind": "lf", "tokenEnv": "LF_PRIZE_TOKEN", "rule": { "name": "prize", "version": "1", "label": "spam", "when": { … } } },
 *       { "kind": "model", "tokenEnv": "MODEL_TOKEN", "name": "candidate", "version": "7", "url": "http://model:8080/predict", "minConfidence": 0.8 },
 *       { "kind": "llm", "tokenEnv": "LLM_TOKEN", "baseUrl": "http://vllm:8000/v1", "model": "qwen2.5-7b-instruct",
 *         "apiKeyEnv": "VLLM_KEY", "prompt": { "version": "p3", "system": "You label emails as spam or ham." } } ] } ] }
 *
 * Each machine calls dispatch with a bearer token of its own (read from the variable `tokenEnv`
 * names, never from this JSON), whose subject must be the machine's identity
 * (`machine:lf-prize@1`, …): dispatch records answers under the token's subject, as for a person.
 */
import { ConfigError, secretFromEnv } from '@labelloop/config';
import { labelingFunction, LabelingFunction, LlmAnnotator, ModelAnnotator, RuleError } from '@labelloop/machine-annotators';
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z][A-Z0-9_]{0,127}$/, 'must name an environment variable (A-Z, 0-9, _)');
const identityPart = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 of A-Z, a-z, 0-9, ., _ and -');
const limits = {
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  maxCallsPerSecond: z.number().positive().max(10_000).default(5),
  maxRetries: z.number().int().min(0).max(10).default(2),
};

const lf = z.object({ kind: z.literal('lf'), tokenEnv: envName, rule: z.unknown() }).strict();
const model = z
  .object({
    kind: z.literal('model'),
    tokenEnv: envName,
    name: identityPart,
    version: identityPart,
    url: z.string().url(),
    minConfidence: z.number().min(0).max(1).default(0.5),
    ...limits,
  })
  .strict();
const llm = z
  .object({
    kind: z.literal('llm'),
    tokenEnv: envName,
    baseUrl: z.string().url(),
    model: identityPart,
    apiKeyEnv: envName.optional(),
    prompt: z.object({ version: identityPart, system: z.string().min(1).max(20_000) }).strict(),
    pricePer1kInput: z.number().min(0).default(0),
    pricePer1kOutput: z.number().min(0).default(0),
    ...limits,
  })
  .strict();

const schema = z
  .object({
    projects: z
      .array(
        z
          .object({
            projectId: z.string().min(1).max(200),
            classes: z.array(z.string().min(1).max(256)).min(2),
            annotators: z.array(z.discriminatedUnion('kind', [lf, model, llm])).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** One machine, built and checked, with the token it calls dispatch with. */
export interface ConfiguredMachine {
  projectId: string;
  /** `machine:<kind>-<name>@<version>`: the identity its answers carry. */
  annotator: string;
  token: string;
  /** The machine's answer for a task's content: a label, or undefined with the reason to abstain. */
  machine: { kind: 'lf'; fn: LabelingFunction } | { kind: 'model'; model: ModelAnnotator } | { kind: 'llm'; llm: LlmAnnotator };
}

/** The runner's settings. */
export interface MachineRunnerConfig {
  /** host:port of annotation-dispatch's gRPC server. */
  dispatchAddress: string;
  /** How long a machine waits before asking again when it found no task. */
  idleMs: number;
  /** Port of /metrics and /healthz (0: any free port). */
  httpPort: number;
  machines: ConfiguredMachine[];
}

/** Reads and checks the runner's configuration from the environment. @throws ConfigError naming every bad field */
export function loadMachineConfig(env: NodeJS.ProcessEnv = process.env): MachineRunnerConfig {
  const problems: string[] = [];
  const dispatchAddress = env.DISPATCH_GRPC_ADDRESS ?? '';
  if (!/^[^\s:]+:\d{1,5}$/.test(dispatchAddress)) problems.push('DISPATCH_GRPC_ADDRESS: must be host:port');
  const idleMs = Number(env.MACHINE_IDLE_MS ?? 1000);
  if (!(Number.isInteger(idleMs) && idleMs >= 10 && idleMs <= 600_000)) problems.push('MACHINE_IDLE_MS: must be an integer in [10, 600000]');
  const httpPort = Number(env.HTTP_PORT ?? 8080);
  if (!(Number.isInteger(httpPort) && httpPort >= 0 && httpPort <= 65535)) problems.push('HTTP_PORT: must be a port number');
  let machines: ConfiguredMachine[] = [];
  try {
    machines = parseMachines(readJson(env), env);
  } catch (e) {
    problems.push(...(e instanceof ConfigError ? e.problems : [(e as Error).message]));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { dispatchAddress, idleMs, httpPort, machines };
}

function readJson(env: NodeJS.ProcessEnv): unknown {
  const text = secretFromEnv('MACHINE_ANNOTATORS', env);
  if (!text) throw new Error('MACHINE_ANNOTATORS: is required (JSON, or MACHINE_ANNOTATORS_FILE naming a JSON file)');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`MACHINE_ANNOTATORS: not JSON: ${(e as Error).message}`);
  }
}

const at = (path: ReadonlyArray<string | number>): string =>
  ['MACHINE_ANNOTATORS', ...path].map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/** Checks the JSON and builds each machine (a labeling function's rule is checked by the lib, against the project's classes). */
export function parseMachines(json: unknown, env: NodeJS.ProcessEnv): ConfiguredMachine[] {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${at(i.path)}: ${i.message}`));
  const problems: string[] = [];
  const out: ConfiguredMachine[] = [];
  parsed.data.projects.forEach((p, pi) =>
    p.annotators.forEach((a, ai) => {
      const path = ['projects', pi, 'annotators', ai];
      const token = secretFromEnv(a.tokenEnv, env);
      if (!token) problems.push(`${at([...path, 'tokenEnv'])}: ${a.tokenEnv} is not set`);
      try {
        const machine = build(a, p.classes, env);
        const annotator = machine.kind === 'lf' ? machine.fn.annotator : machine.kind === 'model' ? machine.model.annotator : machine.llm.annotator;
        if (out.some((m) => m.projectId === p.projectId && m.annotator === annotator))
          problems.push(`${at(path)}: ${annotator} is configured twice in project ${p.projectId}`);
        out.push({ projectId: p.projectId, annotator, token: token ?? '', machine });
      } catch (e) {
        problems.push(e instanceof RuleError ? `${at([...path, 'rule'])}.${e.message}` : `${at(path)}: ${(e as Error).message}`);
      }
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

function build(a: z.infer<typeof lf> | z.infer<typeof model> | z.infer<typeof llm>, classes: string[], env: NodeJS.ProcessEnv): ConfiguredMachine['machine'] {
  if (a.kind === 'lf') return { kind: 'lf', fn: labelingFunction(a.rule, classes) };
  if (a.kind === 'model') return { kind: 'model', model: new ModelAnnotator({ ...a, classes }) };
  const apiKey = a.apiKeyEnv ? secretFromEnv(a.apiKeyEnv, env) : undefined;
  if (a.apiKeyEnv && !apiKey) throw new Error(`apiKeyEnv: ${a.apiKeyEnv} is not set`);
  return { kind: 'llm', llm: new LlmAnnotator({ ...a, apiKey, classes }) };
}
