import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { PredictionEventSchema } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { FieldError } from '../ingest/ingest-json';
import { PredictionIntake } from '../ingest/prediction-intake.service';
import { CaptureOrigin, eventsFromInference, KserveMapping, parseMapping } from './kserve-mapping';
import { KserveRepository, PendingHalf } from './kserve.repository';

/** The CloudEvents types KServe's inference logger posts. */
export const KSERVE_TYPES: Record<string, PendingHalf['part']> = {
  'org.kubeflow.serving.inference.request': 'request',
  'org.kubeflow.serving.inference.response': 'response',
};

/** One half of a captured inference. `attributes` are kept with it (namespace, endpoint, time of a response). */
export interface LoggedHalf {
  origin: CaptureOrigin;
  /** KServe's ce-id, Seldon's request id: what pairs the halves. */
  id: string;
  /** The mapping's name: the InferenceService, or the Seldon model. */
  name: string;
  part: PendingHalf['part'];
  body: unknown;
  attributes: Record<string, string>;
}

/** What one logged half did. */
export type KserveOutcome = { status: 'pending' } | { status: 'duplicate' } | { status: 'ingested'; accepted: number; duplicates: number };

/**
 * Zero-code capture from KServe's inference logger: each request and response arrives as a
 * CloudEvent; the first of the two (by ce-id) waits in PostgreSQL, the second pairs with it
 * and the InferenceService's mapping turns the pair into PredictionEvents, written like any
 * ingested event (one transaction: the pair leaves the waiting table as its events enter the
 * outbox). A half delivered again after its pair was ingested changes nothing.
 */
@Injectable()
export class KserveIntake {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly repo: KserveRepository,
    private readonly intake: PredictionIntake,
  ) {}

  async setMapping(principal: unknown, inferenceService: string, body: unknown): Promise<KserveMapping> {
    authorize(principal, ['admin']);
    const mapping = parseMapping(body);
    await this.ds.transaction((em) => this.repo.putMapping(em, inferenceService, mapping));
    return mapping;
  }

  async getMapping(principal: unknown, inferenceService: string): Promise<KserveMapping | undefined> {
    authorize(principal, ['service']);
    return this.ds.transaction((em) => this.repo.mapping(em, inferenceService));
  }

  /** One logged half: `attributes` are the ce-* headers without the prefix (id, type, inferenceservicename, ...). */
  async receive(principal: unknown, attributes: Record<string, string>, body: unknown): Promise<KserveOutcome> {
    authorize(principal, ['service']);
    const part = KSERVE_TYPES[attributes.type ?? ''];
    if (!part) throw new FieldError('ce-type', `must be one of ${Object.keys(KSERVE_TYPES).join(', ')}`);
    const ceId = attributes.id;
    if (!ceId) throw new FieldError('ce-id', 'is required');
    const service = attributes.inferenceservicename;
    if (!service) throw new FieldError('ce-inferenceservicename', 'is required');
    const half: LoggedHalf = { origin: 'kserve', id: ceId, name: service, part, body, attributes };
    return this.pair(principal, half, 'ce-inferenceservicename', `PUT /v1/kserve/mappings/${service}`);
  }

  /**
   * One half of a captured inference from any origin (KServe's logger, Seldon's model topics):
   * kept until its partner (same origin and id) arrives, then the pair goes through the mapping
   * named `half.name` and is written, once. `nameField` is what a missing mapping is blamed on.
   */
  async pair(principal: unknown, half: LoggedHalf, nameField: string, howToMap: string): Promise<KserveOutcome> {
    // KServe's halves wait under their bare ce-id (as before Seldon was added); others under `<origin>:<id>`.
    const key = half.origin === 'kserve' ? half.id : `${half.origin}:${half.id}`;
    return this.ds.transaction(async (em) => {
      const mapping = await this.repo.mapping(em, half.name);
      if (!mapping) throw new FieldError(nameField, `no mapping for ${half.name} (${howToMap})`);
      await this.repo.lockInference(em, key);
      if (await this.repo.alreadyIngested(em, `${half.origin}:${half.id}:0`)) return { status: 'duplicate' } as const;
      const partner = await this.repo.takePartner(em, key, half.part);
      if (!partner) {
        await this.repo.keep(em, key, { part: half.part, body: half.body, attributes: half.attributes });
        return { status: 'pending' } as const;
      }
      const [request, response] = half.part === 'request' ? [half.body, partner.body] : [partner.body, half.body];
      const responseAttrs = half.part === 'response' ? half.attributes : partner.attributes;
      const inits = eventsFromInference(mapping, {
        origin: half.origin,
        ceId: half.id,
        inferenceService: half.name,
        namespace: half.attributes.namespace,
        endpoint: half.attributes.endpoint,
        time: responseAttrs.time,
        request,
        response,
      });
      const events = inits.map((e) => create(PredictionEventSchema, e));
      this.intake.validate(events, 'events');
      return { status: 'ingested', ...(await this.intake.write(em, principal, events)) } as const;
    });
  }
}
