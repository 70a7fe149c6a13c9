import { readFileSync } from 'node:fs';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { secretFromEnv } from '@labelloop/config';
import { DatasetRegistryService, hasFeatures, VersionItem } from '@labelloop/contracts';
import { createGrpcClient, failedPrecondition, RpcError, ServiceClient, status, tlsCredentials } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { DriftConfig as EnvConfig } from '../drift.config';
import type { Snap } from './snapshot';

/** What a dataset version gives a drift reference. */
export interface DatasetReference {
  snaps: Snap[];
  /** Items read that carried no model inputs (labeled before features were carried). */
  withoutFeatures: number;
}

/** Which items of which version. */
export interface DatasetSelector {
  /** Empty: the version id alone names the version. */
  datasetId: string;
  versionId: string;
  split: string;
  maxItems: number;
}

const PAGE = 1000;

/** A dataset reference's source, as GetDriftStatus shows it. */
export function datasetSource(versionId: string, split: string): string {
  return `dataset version ${versionId}${split ? ` (split ${split})` : ''}`;
}

/** An item of a dataset version as the detector sees it: its inputs, and its label as the class prior. */
export function itemSnap(i: VersionItem): Snap | undefined {
  const f = i.features;
  if (!hasFeatures(f)) return undefined;
  const s: Snap = { id: i.itemId, t: 0, num: { ...f.numeric }, cat: { ...f.categorical }, label: i.label };
  if (f.embedding.length) s.emb = Array.from(f.embedding);
  return s;
}

/**
 * Reads a dataset version's items from the dataset registry over gRPC. Items come in
 * content-address order (a hash of the item id), so the first N items with features are a
 * uniform sample of the version, the same one every time.
 */
@Injectable()
export class RegistryReader implements OnModuleDestroy {
  private client?: ServiceClient<(typeof DatasetRegistryService)['method']>;

  constructor(@Inject(CONFIG) private readonly env: EnvConfig) {}

  /** Whether a registry address is set. */
  get configured(): boolean {
    return Boolean(this.env.REGISTRY_GRPC_ADDRESS);
  }

  private registry() {
    if (!this.env.REGISTRY_GRPC_ADDRESS) throw failedPrecondition('no dataset registry is configured (set REGISTRY_GRPC_ADDRESS)');
    this.client ??= createGrpcClient(DatasetRegistryService, this.env.REGISTRY_GRPC_ADDRESS, {
      token: this.env.REGISTRY_GRPC_TOKEN ?? secretFromEnv('REGISTRY_GRPC_TOKEN'),
      credentials: this.env.REGISTRY_GRPC_CA_FILE ? tlsCredentials(readFileSync(this.env.REGISTRY_GRPC_CA_FILE)) : undefined,
    });
    return this.client;
  }

  async reference(sel: DatasetSelector): Promise<DatasetReference> {
    const registry = this.registry();
    const snaps: Snap[] = [];
    let withoutFeatures = 0;
    let pageToken = '';
    do {
      let page;
      try {
        page = await registry.listItems({ datasetId: sel.datasetId, versionId: sel.versionId, split: sel.split, pageSize: PAGE, pageToken });
      } catch (e) {
        throw registryError(e);
      }
      for (const item of page.items) {
        const s = itemSnap(item);
        if (!s) withoutFeatures++;
        else if (snaps.length < sel.maxItems) snaps.push(s);
      }
      pageToken = page.nextPageToken;
    } while (pageToken && snaps.length < sel.maxItems);
    return { snaps, withoutFeatures };
  }

  onModuleDestroy(): void {
    this.client?.close();
  }
}

/**
 * The registry's answer, passed on with its status code (NOT_FOUND, INVALID_ARGUMENT, ...). A
 * refused token is this service's misconfiguration, not the caller's: FAILED_PRECONDITION.
 */
function registryError(e: unknown): RpcError {
  const err = e as { code?: number; details?: string; message?: string };
  const message = `dataset registry: ${err.details || err.message || 'call failed'}`;
  if (err.code === status.UNAUTHENTICATED || err.code === status.PERMISSION_DENIED) return failedPrecondition(`${message} (check REGISTRY_GRPC_TOKEN)`);
  return new RpcError(typeof err.code === 'number' ? err.code : status.UNAVAILABLE, message);
}
