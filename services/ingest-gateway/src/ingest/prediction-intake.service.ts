import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { PredictionEventSchema, Topics, validatePredictionEvent, type PredictionEvent } from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { modelOwners, type DataSource, type EntityManager } from '@labelloop/persistence';
import { authorize, authorizeModels, resourceExhausted } from '@labelloop/rpc';
import { CONFIG, DATA_SOURCE, METRICS, OUTBOX } from '@labelloop/runtime';
import type { GatewayConfig } from '../gateway.config';
import { Admission } from './admission';
import { FieldError, itemProblem } from './ingest-json';
import { IngestedEventRepository } from './ingested-event.repository';

/** What one ingest call did. */
export interface IngestOutcome {
  /** Events newly accepted (written to the prediction topic through the outbox). */
  accepted: number;
  /** Events whose event_id was accepted before (a client's retry): not written again. */
  duplicates: number;
}

/**
 * The one path every ingest call takes, whatever its edge (gRPC, HTTP/JSON): the caller's
 * scopes, then the whole batch validated (a bad event refuses the call, naming the field;
 * nothing is written), then the new events written to the outbox in one transaction with
 * their ids. Load shedding (admit) bounds the calls and request bytes held at once.
 */
@Injectable()
export class PredictionIntake {
  private readonly admission: Admission;
  private readonly calls: Counter<'edge' | 'outcome'>;
  private readonly events: Counter<'outcome'>;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS) metrics: Metrics,
    private readonly ingested: IngestedEventRepository,
  ) {
    this.admission = new Admission(config.INGEST_MAX_IN_FLIGHT, config.INGEST_MAX_IN_FLIGHT_BYTES);
    const r = [metrics.registry];
    this.calls = new Counter({
      name: 'labelloop_ingest_calls_total',
      help: 'Ingest calls by edge (grpc, http) and outcome (ok, invalid, denied, shed, error)',
      labelNames: ['edge', 'outcome'],
      registers: r,
    });
    this.events = new Counter({
      name: 'labelloop_ingest_events_total',
      help: 'Ingested events by outcome (accepted, duplicate)',
      labelNames: ['outcome'],
      registers: r,
    });
    const admission = this.admission;
    new Gauge({
      name: 'labelloop_ingest_in_flight_bytes',
      help: 'Request bytes held by the ingest calls in progress (bounded by INGEST_MAX_IN_FLIGHT_BYTES)',
      registers: r,
      collect() {
        this.set(admission.inFlight.bytes);
      },
    });
  }

  /**
   * Runs `work` if a call of `bytes` fits; otherwise throws RESOURCE_EXHAUSTED with
   * `retry-after` (the HTTP edge answers 429 with Retry-After).
   */
  async admit<T>(edge: 'grpc' | 'http', bytes: number, work: () => Promise<T>): Promise<T> {
    const release = this.admission.tryAcquire(bytes);
    if (typeof release !== 'function') {
      this.calls.inc({ edge, outcome: 'shed' });
      const what = release === 'requests' ? `${this.config.INGEST_MAX_IN_FLIGHT} calls` : `${this.config.INGEST_MAX_IN_FLIGHT_BYTES} request bytes`;
      throw resourceExhausted(
        `the gateway holds ${what} in progress; retry after ${this.config.INGEST_RETRY_AFTER_SECONDS} s`,
        this.config.INGEST_RETRY_AFTER_SECONDS,
      );
    }
    try {
      const out = await work();
      this.calls.inc({ edge, outcome: 'ok' });
      return out;
    } catch (e) {
      const code = (e as { code?: number }).code;
      this.calls.inc({ edge, outcome: e instanceof FieldError ? 'invalid' : code === 7 || code === 16 ? 'denied' : 'error' });
      throw e;
    } finally {
      release();
    }
  }

  /** Validates and writes `predictions` for `principal` (see the class comment). */
  async ingest(principal: unknown, predictions: PredictionEvent[]): Promise<IngestOutcome> {
    authorize(principal, ['service']);
    if (predictions.length === 0) throw new FieldError('predictions', 'must not be empty');
    this.validate(predictions, 'predictions');
    return this.ds.transaction((em) => this.write(em, principal, predictions));
  }

  /** Refuses the batch (FieldError `<prefix>[i]: <field> <problem>`) when a prediction is invalid or there are too many. */
  validate(predictions: PredictionEvent[], prefix: string): void {
    if (predictions.length > this.config.INGEST_MAX_BATCH)
      throw new FieldError(prefix, `at most ${this.config.INGEST_MAX_BATCH} per call, got ${predictions.length}`);
    predictions.forEach((p, i) => {
      const problem = validatePredictionEvent(p);
      if (problem) throw itemProblem(`${prefix}[${i}]`, problem);
    });
  }

  /**
   * Writes the validated predictions whose ids are new to the outbox, in `em`'s transaction.
   * Every model of the batch must belong to one of the caller's projects (model_owner); a model
   * new here is claimed by the caller's project in the same transaction.
   */
  async write(em: EntityManager, principal: unknown, predictions: PredictionEvent[]): Promise<IngestOutcome> {
    await authorizeModels(
      principal,
      ['service'],
      predictions.map((p) => p.modelId),
      modelOwners(em),
      { write: true },
    );
    const fresh = await this.ingested.claim(
      em,
      predictions.map((p) => p.eventId),
    );
    // A call may repeat an id: the first copy is the one written.
    const accepted = predictions.filter((p) => fresh.delete(p.eventId));
    await this.outbox.emitMany(
      em,
      accepted.map((p) => ({ topic: Topics.predictionRecorded, key: p.modelId, schema: PredictionEventSchema, message: p, id: p.eventId })),
    );
    const outcome = { accepted: accepted.length, duplicates: predictions.length - accepted.length };
    this.events.inc({ outcome: 'accepted' }, outcome.accepted);
    this.events.inc({ outcome: 'duplicate' }, outcome.duplicates);
    return outcome;
  }
}
