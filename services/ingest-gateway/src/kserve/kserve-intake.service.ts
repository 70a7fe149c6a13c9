import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { PredictionEventSchema } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { FieldError } from '../ingest/ingest-json';
import { PredictionIntake } from '../ingest/prediction-intake.service';
import { eventsFromInference, KserveMapping, parseMapping } from './kserve-mapping';
import { KserveRepository, PendingHalf } from './kserve.repository';

/** The CloudEvents types KServe's inference logger posts. */
export const KSERVE_TYPES: Record<string, PendingHalf['part']> = {
  'org.kubeflow.serving.inference.request': 'request',
  'org.kubeflow.serving.inference.response': 'response',
};

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
    return this.ds.transaction(async (em) => {
      const mapping = await this.repo.mapping(em, service);
      if (!mapping) throw new FieldError('ce-inferenceservicename', `no mapping for InferenceService ${service} (PUT /v1/kserve/mappings/${service})`);
      await this.repo.lockInference(em, ceId);
      if (await this.repo.alreadyIngested(em, ceId)) return { status: 'duplicate' } as const;
      const partner = await this.repo.takePartner(em, ceId, part);
      if (!partner) {
        await this.repo.keep(em, ceId, { part, body, attributes });
        return { status: 'pending' } as const;
      }
      const [request, response] = part === 'request' ? [body, partner.body] : [partner.body, body];
      const responseAttrs = part === 'response' ? attributes : partner.attributes;
      const inits = eventsFromInference(mapping, {
        ceId,
        inferenceService: service,
        namespace: attributes.namespace,
        endpoint: attributes.endpoint,
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
