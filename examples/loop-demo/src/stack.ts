/**
 * The six LabelLoop services of one run, configured for the scenario, and the API clients the
 * main job uses to set policies and read state.
 */
import { DatasetRegistryService, DriftService, QaService, RetrainService, SamplingService } from '@labelloop/contracts';
import { createGrpcClient, type ServiceClient } from '@labelloop/rpc';
import { freePort, SERVICES, ServiceProcess, startService } from '@labelloop/testing';
import type { MainJobOptions } from './options';

/** Bearer tokens of one run. */
export interface Tokens {
  admin: string;
  /** A reviewer of the project: reads what reviewers may, resumes nobody. */
  viewer: string;
  worker: string;
  /** Drift detection's token at the registry (reads a promoted model's training data). */
  drift: string;
  annotators: { name: string; token: string }[];
  /** Machine annotators (identity = the token's subject), when the run has them. */
  machines: { identity: string; token: string }[];
}

/** Clients of the services' gRPC APIs (admin token). */
export interface Apis {
  sampling: ServiceClient<(typeof SamplingService)['method']>;
  drift: ServiceClient<(typeof DriftService)['method']>;
  qa: ServiceClient<(typeof QaService)['method']>;
  registry: ServiceClient<(typeof DatasetRegistryService)['method']>;
  retrain: ServiceClient<(typeof RetrainService)['method']>;
}

/** The running services. */
export interface Stack {
  services: ServiceProcess[];
  grpc: (name: (typeof SERVICES)[number]) => string;
  apis: Apis;
  stop(): Promise<void>;
}

/** The registry's split shares in percent (the rest, 25 %, plus every audit sample is the test split). */
export const REGISTRY_SPLIT = { train: 70, validation: 5 } as const;

/** Drift windowing for a stream that drifts after `driftAt` events: reference + two windows before it. */
export function driftWindowing(driftAt: number): { referenceSize: number; windowSize: number } {
  return { referenceSize: Math.max(20, Math.floor(driftAt / 2)), windowSize: Math.max(20, Math.floor(driftAt / 4)) };
}

/** Starts the seven services (SERVICES) for a run and waits until they are up. */
export async function startStack(
  o: MainJobOptions,
  run: {
    tag: string;
    databaseUrl: string;
    projectId: string;
    exportDir: string;
    webhookUrl: string;
    webhookSecret: string;
    driftAt: number;
    tokens: Tokens;
    contentResolvers: string;
  },
): Promise<Stack> {
  const { referenceSize, windowSize } = driftWindowing(run.driftAt);
  const env: Record<string, string> = {
    DATABASE_URL: run.databaseUrl,
    AUTH_TOKENS: JSON.stringify([
      { token: run.tokens.admin, subject: 'main-job', roles: ['admin'], projects: ['*'] },
      { token: run.tokens.viewer, subject: 'viewer', roles: ['reviewer'], projects: [run.projectId] },
      { token: run.tokens.worker, subject: 'retrain-worker', roles: ['service'], projects: ['*'] },
      { token: run.tokens.drift, subject: 'drift-detection', roles: ['service'], projects: ['*'] },
      ...run.tokens.annotators.map((a) => ({ token: a.token, subject: a.name, roles: ['annotator'], projects: [run.projectId] })),
      ...run.tokens.machines.map((m) => ({ token: m.token, subject: m.identity, roles: ['annotator'], projects: [run.projectId] })),
    ]),
    DRIFT_REFERENCE_SIZE: String(referenceSize),
    DRIFT_WINDOW_SIZE: String(windowSize),
    SAMPLING_PROJECT_ID: run.projectId,
    DISPATCH_OVERLAP: String(o.overlap),
    DISPATCH_LABEL_CLASSES: 'ham,spam',
    // Annotators are shown the message behind spamassassin://… (corpus-server.ts), not the URI.
    DISPATCH_CONTENT_RESOLVERS: run.contentResolvers,
    REGISTRY_CUT_EVERY: String(o.cutEvery),
    REGISTRY_EXPORT_DIR: run.exportDir,
    REGISTRY_EXPORT_FORMATS: 'jsonl', // all the training job reads
    // A quarter of the items (plus every audit sample) is the held-out split promotions are judged on.
    REGISTRY_TRAIN_PCT: String(REGISTRY_SPLIT.train),
    REGISTRY_VALIDATION_PCT: String(REGISTRY_SPLIT.validation),
    RETRAIN_WEBHOOK_URL: run.webhookUrl,
    RETRAIN_WEBHOOK_SECRET: run.webhookSecret,
    RETRAIN_POLL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  // A known registry port: drift detection reads a promoted model's training data from it.
  const registryPort = await freePort();
  const services = SERVICES.map((name) =>
    startService(name, {
      ...env,
      KAFKA_GROUP_ID: groupOf(run.tag, name),
      // One consumed transaction per burst of predictions: the strategy picks from exactly one burst.
      ...(name === 'sampling' ? { CONSUMER_TX_BATCH: String(o.burst) } : {}),
      ...(name === 'dataset-registry' ? { GRPC_PORT: String(registryPort) } : {}),
      ...(name === 'drift-detection' ? { REGISTRY_GRPC_ADDRESS: `127.0.0.1:${registryPort}`, REGISTRY_GRPC_TOKEN: run.tokens.drift } : {}),
    }),
  );
  const ports = await Promise.all(services.map((s) => s.ready)).catch(async (e) => {
    await Promise.all(services.map((s) => s.kill('SIGKILL')));
    throw e;
  });
  const grpc = (name: (typeof SERVICES)[number]) => `127.0.0.1:${ports[SERVICES.indexOf(name)].grpcPort}`;
  const t = { token: run.tokens.admin };
  const apis: Apis = {
    sampling: createGrpcClient(SamplingService, grpc('sampling'), t),
    drift: createGrpcClient(DriftService, grpc('drift-detection'), t),
    qa: createGrpcClient(QaService, grpc('qa'), t),
    registry: createGrpcClient(DatasetRegistryService, grpc('dataset-registry'), t),
    retrain: createGrpcClient(RetrainService, grpc('retrain-trigger'), t),
  };
  return {
    services,
    grpc,
    apis,
    stop: async () => {
      for (const c of Object.values(apis)) c.close();
      await Promise.all(services.map((s) => s.kill('SIGTERM')));
    },
  };
}

/** The consumer group of a service in a run. */
export const groupOf = (tag: string, service: string): string => `mainjob-${tag}-${service}`;

/**
 * The policies of the run, set through the services' APIs: every prediction is a candidate
 * (confidence threshold 1) and the strategy alone picks `labelsPerBurst` of each burst, so two
 * runs differ only in the strategy (the performance trigger, which would sample predictions that
 * delayed ground truth contradicts, is off); a standing random audit feeds the registry's test
 * split.
 * The retrain policy promotes a candidate that beats the champion's accuracy by
 * `minImprovement` on the version's held-out split.
 */
export async function configurePolicies(apis: Apis, o: MainJobOptions, modelId: string, projectId: string): Promise<void> {
  await apis.sampling.upsertSamplingPolicy({
    policy: {
      modelId,
      projectId,
      strategy: o.strategy,
      microBatchSize: o.labelsPerBurst,
      auditRate: o.auditRate,
      lowConfidenceEnabled: true,
      confidenceThreshold: 1,
      edgeSpikeEnabled: false,
      performanceEnabled: false,
      driftEnabled: true,
      driftSamples: 10,
    },
  });
  // QA's item gate, and adaptive overlap when asked for: one more answer while an item is below the gate.
  await apis.qa.upsertQaPolicy({ policy: { projectId, minConfidence: o.gate, maxAnswers: o.maxAnswers } });
  await apis.retrain.upsertRetrainPolicy({
    policy: {
      modelId,
      primaryMetric: 'accuracy',
      minImprovement: o.minImprovement,
      minNewLabels: 1n,
      requiredClasses: ['ham', 'spam'],
      minItemsPerClass: 1n,
      runTimeoutSeconds: 120,
      stage: 'production',
    },
  });
}
