import { readFileSync } from 'node:fs';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { DatasetRegistryService, DispatchAdminService, DriftService, QaService, RetrainService, SamplingService } from '@labelloop/contracts';
import { createGrpcClient, ServiceClient, tlsCredentials } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { ConsoleConfig } from '../console.config';
import { StageAnswer, stageRefusal } from './stage-answer';

/** The stages the console reads, with the gRPC service each one exposes. */
const STAGES = {
  drift: { service: DriftService, key: 'CONSOLE_DRIFT_GRPC_ADDRESS', label: 'drift-detection' },
  sampling: { service: SamplingService, key: 'CONSOLE_SAMPLING_GRPC_ADDRESS', label: 'sampling' },
  dispatch: { service: DispatchAdminService, key: 'CONSOLE_DISPATCH_GRPC_ADDRESS', label: 'annotation-dispatch' },
  qa: { service: QaService, key: 'CONSOLE_QA_GRPC_ADDRESS', label: 'qa' },
  registry: { service: DatasetRegistryService, key: 'CONSOLE_REGISTRY_GRPC_ADDRESS', label: 'dataset-registry' },
  retrain: { service: RetrainService, key: 'CONSOLE_RETRAIN_GRPC_ADDRESS', label: 'retrain-trigger' },
} as const;

/** A stage's name in STAGES. */
export type StageName = keyof typeof STAGES;
type Methods<S extends StageName> = (typeof STAGES)[S]['service'] extends GenService<infer M> ? M : never;
/** The typed client of a stage. */
export type StageClient<S extends StageName> = ServiceClient<Methods<S>>;

/**
 * One gRPC client per stage, shared by every request. The user's bearer token travels per
 * call (`authorization` metadata), never in the channel, so each call is judged by the stage
 * as the user's own.
 */
@Injectable()
export class StageClients implements OnModuleDestroy {
  private readonly clients = new Map<StageName, ServiceClient<GenServiceMethods>>();

  constructor(@Inject(CONFIG) private readonly config: ConsoleConfig) {}

  /** Calls a stage as the user who holds `token`; a refusal or an outage comes back as a value. */
  async call<S extends StageName, T>(
    stage: S,
    token: string,
    fn: (client: StageClient<S>, opts: { metadata: Record<string, string> }) => Promise<T>,
  ): Promise<StageAnswer<T>> {
    const client = this.client(stage);
    if (!client)
      return { ok: false, stage: STAGES[stage].label, message: `${STAGES[stage].label} is not configured (set ${STAGES[stage].key})`, code: 'NOT_CONFIGURED' };
    try {
      return { ok: true, value: await fn(client, { metadata: { authorization: `Bearer ${token}` } }) };
    } catch (e) {
      return stageRefusal(STAGES[stage].label, e);
    }
  }

  private client<S extends StageName>(stage: S): StageClient<S> | undefined {
    const address = this.config[STAGES[stage].key];
    if (!address) return undefined;
    let client = this.clients.get(stage);
    if (!client) {
      const credentials = this.config.CONSOLE_GRPC_CA_FILE ? tlsCredentials(readFileSync(this.config.CONSOLE_GRPC_CA_FILE)) : undefined;
      client = createGrpcClient(STAGES[stage].service as GenService<GenServiceMethods>, address, { credentials, defaultDeadlineMs: 5000 });
      this.clients.set(stage, client);
    }
    return client as unknown as StageClient<S>;
  }

  onModuleDestroy(): void {
    for (const c of this.clients.values()) c.close();
  }
}
