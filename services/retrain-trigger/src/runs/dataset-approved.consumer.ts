import { createHash } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DatasetApproved, DatasetApprovedSchema, RetrainRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER, OUTBOX, Consumes } from '@labelloop/runtime';
import { launcherKind, RetrainConfig } from '../retrain.config';
import { retrainDriftStates } from '../repositories/retrain-drift-state.repository';
import { retrainRuns } from '../repositories/retrain-run.repository';
import { PolicyRepository, ResolvedRetrainPolicy } from './policy.repository';

/** Run id of (model, dataset version): the same pair always maps to the same run. */
export function runIdOf(modelId: string, versionId: string): string {
  return `run-${createHash('sha256').update(`${modelId}|${versionId}`).digest('hex').slice(0, 24)}`;
}

/** Why a version should (or should not) retrain its model; pure. */
export function shouldRetrain(
  d: { newItems: number; counts: { label: string; count: number }[] },
  p: ResolvedRetrainPolicy,
  ctx: { secondsSinceLastRun?: number; openDriftSeverity?: number },
): { launch: boolean; reason: string } {
  const perClass = new Map<string, number>();
  for (const c of d.counts) perClass.set(c.label, (perClass.get(c.label) ?? 0) + c.count);
  const missing = p.requiredClasses.filter((c) => (perClass.get(c) ?? 0) < p.minItemsPerClass);
  if (missing.length) return { launch: false, reason: `class coverage: ${missing.join(', ')} below ${p.minItemsPerClass} items` };
  if (p.forceOnDriftSeverity > 0 && (ctx.openDriftSeverity ?? 0) >= p.forceOnDriftSeverity) {
    return { launch: true, reason: `drift severity ${ctx.openDriftSeverity} >= ${p.forceOnDriftSeverity} forces a run` };
  }
  if (d.newItems < p.minNewLabels) return { launch: false, reason: `min_new_labels: ${d.newItems} < ${p.minNewLabels}` };
  if (ctx.secondsSinceLastRun !== undefined && ctx.secondsSinceLastRun < p.minIntervalSeconds) {
    return { launch: false, reason: `min_interval: ${Math.round(ctx.secondsSinceLastRun)} s since the last run < ${p.minIntervalSeconds} s` };
  }
  return { launch: true, reason: `min_new_labels: ${d.newItems} >= ${p.minNewLabels}` };
}

/**
 * Decides whether an approved dataset version retrains its model. One run per (model,
 * dataset version), however often the event is redelivered: the run row's unique key and the
 * RetrainRequested event commit together.
 */
@Controller()
export class DatasetApprovedConsumer {
  constructor(
    private readonly policies: PolicyRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(CONFIG) private readonly config: RetrainConfig,
  ) {}

  validate(d: DatasetApproved): string | undefined {
    if (!d.versionId) return 'version_id is required';
    if (!d.modelId) return 'model_id is required';
    if (!d.datasetId) return 'dataset_id is required';
    return undefined;
  }

  @Consumes(Topics.datasetApproved, DatasetApprovedSchema)
  async handle(events: ConsumedEvent<DatasetApproved>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const d = ev.message;
      const { resolved: policy } = await this.policies.get(em, d.modelId);
      const secondsSinceLastRun = await retrainRuns.secondsSinceLastRequest(em, d.modelId);
      const openDriftSeverity = await retrainDriftStates.openSeverity(em, d.modelId);
      const decision = shouldRetrain({ newItems: Number(d.newItems), counts: d.counts.map((c) => ({ label: c.label, count: Number(c.count) })) }, policy, {
        secondsSinceLastRun,
        openDriftSeverity,
      });
      if (!decision.launch) {
        this.logger.log({ msg: 'no retrain for dataset version', model: d.modelId, version: d.versionId, reason: decision.reason }, 'DatasetApproved');
        continue;
      }
      const runId = runIdOf(d.modelId, d.versionId);
      const launcher = launcherKind(this.config) ?? 'none';
      const requested = await retrainRuns.request(em, {
        runId,
        modelId: d.modelId,
        datasetId: d.datasetId,
        datasetVersionId: d.versionId,
        exportUri: d.exportUri,
        reason: decision.reason,
        traceparent: ev.traceparent ?? null,
        timeoutSeconds: policy.runTimeoutSeconds,
        launcher,
      });
      if (!requested) continue;
      await this.outbox.emit(em, {
        topic: Topics.retrainRequested,
        key: d.modelId,
        schema: RetrainRequestedSchema,
        id: `retrain-requested:${runId}`,
        traceparent: ev.traceparent,
        message: {
          runId,
          modelId: d.modelId,
          datasetId: d.datasetId,
          datasetVersionId: d.versionId,
          exportUri: d.exportUri,
          launcher,
          reason: decision.reason,
          requestedAt: timestampFromDate(new Date()),
        },
      });
    }
  }
}
