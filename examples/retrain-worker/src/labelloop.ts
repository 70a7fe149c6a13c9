/**
 * What the training job says back to LabelLoop: run status over gRPC (RetrainService), and the
 * evaluation as a ModelEvaluated event (protobuf value, CloudEvents binary-mode headers).
 */
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { Producer } from 'kafkajs';
import { ModelEvaluatedSchema, RetrainService, Topics } from '@labelloop/contracts';
import { envelopeHeaders } from '@labelloop/messaging';
import { createGrpcClient } from '@labelloop/rpc';
import type { Evaluation } from './train';

/** A ModelEvaluated event's content. */
export interface EvaluatedRun {
  runId: string;
  modelId: string;
  datasetVersionId: string;
  candidateVersion: string;
  candidate: Evaluation;
  championVersion: string;
  champion: Evaluation;
}

const slices = (s: Evaluation['slices']) => Object.fromEntries(Object.entries(s).map(([k, metrics]) => [k, { metrics }]));

/** Publishes ModelEvaluated (topic labelloop.model.evaluated.v1, key = model id). */
export async function publishEvaluation(producer: Producer, e: EvaluatedRun): Promise<void> {
  const msg = create(ModelEvaluatedSchema, {
    modelId: e.modelId,
    candidateVersion: e.candidateVersion,
    datasetVersionId: e.datasetVersionId,
    runId: e.runId,
    metrics: e.candidate.metrics,
    slices: slices(e.candidate.slices),
    evaluatedAt: timestampNow(),
    championVersion: e.championVersion,
    championMetrics: e.champion.metrics,
    championSlices: slices(e.champion.slices),
  });
  const value = toBinary(ModelEvaluatedSchema, msg);
  const headers = envelopeHeaders(
    { id: randomUUID(), type: ModelEvaluatedSchema.typeName, source: 'training/spam-retrain-worker', time: new Date().toISOString() },
    value,
  );
  await producer.send({ topic: Topics.modelEvaluated, acks: -1, messages: [{ key: e.modelId, value: Buffer.from(value), headers }] });
}

/** The RetrainService calls this job makes, with its service token. */
export class RetrainApi {
  private readonly client;

  constructor(address: string, token: string) {
    this.client = createGrpcClient(RetrainService, address, { token });
  }

  /** Reports a run `running`, `succeeded` or `failed` (repeating a state is harmless). */
  async report(runId: string, state: 'running' | 'succeeded' | 'failed', message = ''): Promise<void> {
    await this.client.reportRunStatus({ runId, state, message });
  }

  /** The current champion: the last promoted candidate, or `initial` before any promotion. */
  async champion(modelId: string, initial: string): Promise<string> {
    const { decisions } = await this.client.listPromotionDecisions({ modelId });
    return decisions.filter((d) => d.promoted).at(-1)?.candidateVersion ?? initial;
  }

  /** Waits until LabelLoop decided on a candidate; returns the decision (undefined on timeout). */
  async decision(modelId: string, candidateVersion: string, timeoutMs = 60_000): Promise<{ promoted: boolean; reasons: string[] } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { decisions } = await this.client.listPromotionDecisions({ modelId });
      const d = decisions.find((x) => x.candidateVersion === candidateVersion);
      if (d) return { promoted: d.promoted, reasons: d.reasons };
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  close(): void {
    this.client.close();
  }
}
