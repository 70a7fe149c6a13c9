/**
 * The main job's observer: one Kafka consumer on the public topics, keeping what this run's
 * model and project did, with the timestamps the stages put on their events. Everything the
 * report says about timing and labels comes from here (plus a few API calls).
 */
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Kafka } from 'kafkajs';
import {
  AnnotationRequestedSchema,
  AnnotationSubmittedSchema,
  AnnotatorPausedSchema,
  DatasetApprovedSchema,
  DriftDetectedSchema,
  DriftResolvedSchema,
  LabelAcceptedSchema,
  ModelEvaluatedSchema,
  ModelPromotedSchema,
  PredictionEventSchema,
  PromotionRejectedSchema,
  RetrainRequestedSchema,
  Topics,
  Trigger,
} from '@labelloop/contracts';
import { headerString } from '@labelloop/messaging';

const ms = (t: Timestamp | undefined): number => (t ? timestampDate(t).getTime() : NaN);
const classOf = (l: { value: { case?: string; value?: unknown } } | undefined): string =>
  l?.value.case === 'classification' ? (l.value.value as { classes: string[] }).classes.join('|') : '';
type Slices = Record<string, Record<string, number>>;

/** A served prediction. */
export interface Served {
  t: number;
  uri: string;
  version: string;
  predicted: string;
  confidence: number;
  embedding: Float32Array;
}
/** A drift episode opened by the drift-detection service. */
export interface Alert {
  alertId: string;
  at: number;
  windowStart: number;
  windowEnd: number;
  severity: number;
  version: string;
  features: { feature: string; method: string; pValue?: number; drifted: boolean }[];
}
/** A sampling decision. */
export interface Request {
  itemId: string;
  uri: string;
  trigger: string;
  audit: boolean;
  requestedAt: number;
  predictedAt: number;
}
/** A dataset version. */
export interface Version {
  versionId: string;
  number: number;
  items: number;
  newItems: number;
  exportUri: string;
  approvedAt: number;
}
/** A ModelEvaluated event. */
export interface Evaluated {
  runId: string;
  candidate: string;
  datasetVersionId: string;
  metrics: Record<string, number>;
  slices: Slices;
  champion: string;
  championMetrics: Record<string, number>;
  championSlices: Slices;
  at: number;
}

/** Everything the tap saw for one model / project. */
export class Tap {
  readonly served: Served[] = [];
  readonly alerts: Alert[] = [];
  readonly resolved: { alertId: string; at: number }[] = [];
  readonly requests: Request[] = [];
  readonly submissions: { itemId: string; annotator: string; label: string; at: number }[] = [];
  readonly accepted = new Map<string, { uri: string; label: string; at: number; audit: boolean }>();
  readonly paused: { annotator: string; at: number; accuracy: number; reason: string }[] = [];
  readonly versions: Version[] = [];
  readonly retrains: { runId: string; datasetVersionId: string; at: number }[] = [];
  readonly evaluated: Evaluated[] = [];
  readonly promoted: { version: string; previous: string; datasetVersionId: string; at: number }[] = [];
  readonly rejected: { candidate: string; datasetVersionId: string; reasons: string[]; at: number }[] = [];
  private stopFn?: () => Promise<void>;

  constructor(
    private readonly modelId: string,
    private readonly projectId: string,
  ) {}

  /** Starts consuming with `groupId` (positioned by the caller); resolves once it joined. */
  async start(kafka: Kafka, groupId: string): Promise<void> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.connect();
    const topics = [
      Topics.predictionRecorded,
      Topics.driftDetected,
      Topics.driftResolved,
      Topics.annotationRequested,
      Topics.annotationSubmitted,
      Topics.labelAccepted,
      Topics.annotatorPaused,
      Topics.datasetApproved,
      Topics.retrainRequested,
      Topics.modelEvaluated,
      Topics.modelPromoted,
      Topics.promotionRejected,
    ];
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachMessage: async ({ topic, message }) => {
        try {
          this.take(topic, message.value ?? Buffer.alloc(0), Date.parse(headerString(message.headers, 'ce_time') ?? '') || Date.now());
        } catch {
          /* not decodable: not ours */
        }
      },
    });
    await joined;
    this.stopFn = async () => {
      await consumer.stop().catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
    };
  }

  async stop(): Promise<void> {
    await this.stopFn?.();
  }

  private take(topic: string, v: Buffer, ceTime: number): void {
    const m = this.modelId;
    switch (topic) {
      case Topics.predictionRecorded: {
        const e = fromBinary(PredictionEventSchema, v);
        if (e.modelId === m)
          this.served.push({
            t: ms(e.timestamp),
            uri: e.inputUri,
            version: e.modelVersion,
            predicted: e.predictedLabel,
            confidence: e.confidence,
            embedding: Float32Array.from(e.embedding),
          });
        break;
      }
      case Topics.driftDetected: {
        const d = fromBinary(DriftDetectedSchema, v);
        if (d.modelId === m)
          this.alerts.push({
            alertId: d.alertId,
            at: ceTime,
            windowStart: ms(d.windowStart),
            windowEnd: ms(d.windowEnd),
            severity: d.severity,
            version: d.modelVersion,
            features: d.features.map((f) => ({ feature: f.feature, method: f.method, pValue: f.pValue, drifted: f.drifted })),
          });
        break;
      }
      case Topics.driftResolved: {
        const d = fromBinary(DriftResolvedSchema, v);
        if (d.modelId === m) this.resolved.push({ alertId: d.alertId, at: ceTime });
        break;
      }
      case Topics.annotationRequested: {
        const r = fromBinary(AnnotationRequestedSchema, v);
        if (r.modelId === m)
          this.requests.push({
            itemId: r.itemId,
            uri: r.inputUri,
            trigger: Trigger[r.trigger],
            audit: r.auditSample,
            requestedAt: ms(r.requestedAt),
            predictedAt: ms(r.predictedAt),
          });
        break;
      }
      case Topics.annotationSubmitted: {
        const s = fromBinary(AnnotationSubmittedSchema, v);
        if (s.projectId === this.projectId)
          this.submissions.push({ itemId: s.itemId, annotator: s.annotatorId, label: classOf(s.label), at: ms(s.submittedAt) });
        break;
      }
      case Topics.labelAccepted: {
        const l = fromBinary(LabelAcceptedSchema, v);
        if (l.projectId === this.projectId)
          this.accepted.set(l.itemId, { uri: l.inputUri, label: classOf(l.label), at: ms(l.acceptedAt), audit: l.auditSample });
        break;
      }
      case Topics.annotatorPaused: {
        const p = fromBinary(AnnotatorPausedSchema, v);
        if (p.projectId === this.projectId) this.paused.push({ annotator: p.annotatorId, at: ms(p.pausedAt), accuracy: p.accuracy, reason: p.reason });
        break;
      }
      case Topics.datasetApproved: {
        const d = fromBinary(DatasetApprovedSchema, v);
        if (d.datasetId === this.projectId)
          this.versions.push({
            versionId: d.versionId,
            number: Number(d.versionNumber),
            items: Number(d.itemCount),
            newItems: Number(d.newItems),
            exportUri: d.exportUri,
            approvedAt: ms(d.approvedAt),
          });
        break;
      }
      case Topics.retrainRequested: {
        const r = fromBinary(RetrainRequestedSchema, v);
        if (r.modelId === m) this.retrains.push({ runId: r.runId, datasetVersionId: r.datasetVersionId, at: ms(r.requestedAt) });
        break;
      }
      case Topics.modelEvaluated: {
        const e = fromBinary(ModelEvaluatedSchema, v);
        const sl = (s: typeof e.slices) => Object.fromEntries(Object.entries(s).map(([k, x]) => [k, x.metrics]));
        if (e.modelId === m) {
          this.evaluated.push({
            runId: e.runId,
            candidate: e.candidateVersion,
            datasetVersionId: e.datasetVersionId,
            metrics: e.metrics,
            slices: sl(e.slices),
            champion: e.championVersion,
            championMetrics: e.championMetrics,
            championSlices: sl(e.championSlices),
            at: ms(e.evaluatedAt),
          });
        }
        break;
      }
      case Topics.modelPromoted: {
        const p = fromBinary(ModelPromotedSchema, v);
        if (p.modelId === m)
          this.promoted.push({ version: p.modelVersion, previous: p.previousVersion, datasetVersionId: p.datasetVersionId, at: ms(p.promotedAt) });
        break;
      }
      case Topics.promotionRejected: {
        const r = fromBinary(PromotionRejectedSchema, v);
        if (r.modelId === m)
          this.rejected.push({ candidate: r.candidateVersion, datasetVersionId: r.datasetVersionId, reasons: r.reasons, at: ms(r.rejectedAt) });
        break;
      }
    }
  }
}
