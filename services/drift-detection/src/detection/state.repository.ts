import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { DriftConfig, DriftConfigSchema } from '@labelloop/contracts';
import { EntityManager, TtlCache } from '@labelloop/persistence';
import { CONFIG } from '@labelloop/runtime';
import type { DriftConfig as EnvConfig } from '../drift.config';
import { DriftDefaults, resolveConfig, ResolvedConfig } from './drift-config';
import { DetectorState, emptyState } from './detector';

/** A model's detector state as loaded for one transaction. */
export interface LoadedModel {
  state: DetectorState;
  openAlert: string | null;
  version: number;
  exists: boolean;
  /** Set by the caller when the reference changed (grew, was reset or replaced). */
  referenceDirty: boolean;
}

/**
 * Loads and saves detector state. Parsing the state is the costly part of a batch, so the
 * last committed state of each model is cached with its row version; the row is locked and
 * its version compared every batch, and a mismatch (another replica wrote, or our own
 * transaction rolled back after the cache was updated) reloads from the database.
 *
 * At most DRIFT_STATE_CACHE_MODELS models are cached, least recently used out.
 *
 * The detector mutates the state it is given, so a cached state is handed out, not shared:
 * load() takes it out of the cache and save() puts the new one back. A batch that throws in
 * between (a poison event, a failed query) leaves no cache entry, and its retry reloads the
 * committed state instead of observing the same events a second time.
 */
@Injectable()
export class StateRepository {
  /** In least-recently-saved order (a Map keeps insertion order; load takes an entry out). */
  private readonly cache = new Map<string, LoadedModel>();
  /** Per-model configs, expired like sampling's and QA's policies: another replica's change is used within the TTL. */
  private readonly configs = new TtlCache<ResolvedConfig>();
  private readonly cacheModels: number;
  readonly defaults: DriftDefaults;

  constructor(@Inject(CONFIG) env: EnvConfig) {
    this.defaults = {
      referenceSize: env.DRIFT_REFERENCE_SIZE,
      windowSize: env.DRIFT_WINDOW_SIZE,
      alpha: env.DRIFT_ALPHA,
      resolveAfter: env.DRIFT_RESOLVE_AFTER,
    };
    this.cacheModels = env.DRIFT_STATE_CACHE_MODELS;
  }

  async config(em: EntityManager, modelId: string): Promise<ResolvedConfig> {
    return this.configs.get(modelId, async () => {
      const [row]: { config: Buffer }[] = await em.query('SELECT config FROM drift_model_config WHERE model_id = $1', [modelId]);
      return resolveConfig(row ? fromBinary(DriftConfigSchema, row.config) : undefined, this.defaults);
    });
  }

  async saveConfig(em: EntityManager, modelId: string, config: DriftConfig): Promise<ResolvedConfig> {
    const resolved = resolveConfig(config, this.defaults);
    await em.query(
      `INSERT INTO drift_model_config (model_id, config) VALUES ($1, $2) ON CONFLICT (model_id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()`,
      [modelId, Buffer.from(toBinary(DriftConfigSchema, config))],
    );
    this.configs.delete(modelId);
    return resolved;
  }

  /** The version of the model's stored state, without locking it: 0 before its first save, none for a model never seen. */
  async storedVersion(em: EntityManager, modelId: string): Promise<number | undefined> {
    const [row]: { version: string }[] = await em.query('SELECT version FROM drift_model_state WHERE model_id = $1', [modelId]);
    return row ? Number(row.version) : undefined;
  }

  /** Locks the model's row and returns its state (from cache when still current). */
  async load(em: EntityManager, modelId: string, firstVersion: string): Promise<LoadedModel> {
    // Create the row first so the lock always has something to lock (the prediction and
    // model-promoted consumers of one model may run at once).
    await em.query(
      `INSERT INTO drift_model_state (model_id, model_version, reference, window_state, version) VALUES ($1, $2, '[]', 'null', 0) ON CONFLICT DO NOTHING`,
      [modelId, firstVersion],
    );
    const [row]: { version: string }[] = await em.query('SELECT version FROM drift_model_state WHERE model_id = $1 FOR UPDATE', [modelId]);
    if (Number(row.version) === 0) return { state: emptyState(firstVersion), openAlert: null, version: 0, exists: true, referenceDirty: true };
    const cached = this.cache.get(modelId);
    this.cache.delete(modelId);
    if (cached && cached.version === Number(row.version)) return { ...cached, referenceDirty: false };
    const [full]: {
      model_version: string;
      reference: DetectorState['reference'];
      window_state: Omit<DetectorState, 'reference' | 'version'>;
      open_alert_id: string | null;
    }[] = await em.query('SELECT model_version, reference, window_state, open_alert_id FROM drift_model_state WHERE model_id = $1', [modelId]);
    const state: DetectorState = { ...full.window_state, reference: full.reference, version: full.model_version };
    return { state, openAlert: full.open_alert_id, version: Number(row.version), exists: true, referenceDirty: false };
  }

  /** Writes the state back (the reference only when it changed) and refreshes the cache. */
  async save(em: EntityManager, modelId: string, m: LoadedModel): Promise<void> {
    const { reference, version: modelVersion, ...windowState } = m.state;
    const next = m.version + 1;
    if (!m.exists) {
      await em.query(
        `INSERT INTO drift_model_state (model_id, model_version, reference, window_state, open_alert_id, version) VALUES ($1, $2, $3, $4, $5, $6)`,
        [modelId, modelVersion, JSON.stringify(reference), JSON.stringify(windowState), m.openAlert, next],
      );
    } else if (m.referenceDirty) {
      await em.query(
        `UPDATE drift_model_state SET model_version = $2, reference = $3, window_state = $4, open_alert_id = $5, version = $6, updated_at = now() WHERE model_id = $1`,
        [modelId, modelVersion, JSON.stringify(reference), JSON.stringify(windowState), m.openAlert, next],
      );
    } else {
      await em.query(
        `UPDATE drift_model_state SET model_version = $2, window_state = $3, open_alert_id = $4, version = $5, updated_at = now() WHERE model_id = $1`,
        [modelId, modelVersion, JSON.stringify(windowState), m.openAlert, next],
      );
    }
    this.cache.set(modelId, { ...m, version: next, exists: true, referenceDirty: false });
    // Least recently used out: memory stays bounded however many models there are.
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= this.cacheModels) break;
      this.cache.delete(oldest);
    }
  }

  /** Models whose state is cached now. */
  get cachedModels(): number {
    return this.cache.size;
  }

  /** Forgets cached state (after a reset through the API). */
  invalidate(modelId: string): void {
    this.cache.delete(modelId);
  }
}
