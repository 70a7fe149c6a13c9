import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@labelloop/observability';
import { CONFIG, LOGGER, METRICS } from '@labelloop/runtime';
import { Counter } from 'prom-client';
import type { DispatchConfig } from '../dispatch.config';
import { ContentError } from './content-error';
import { contentRef, schemeOf } from './content-uri';
import { fetchText } from './fetch-text';
import { S3UrlSigner } from './s3-url';

/** An item's content as it can be shown: its text, a URL to it, or a note saying why neither. */
export type ItemContent = { kind: 'text'; text: string } | { kind: 'url'; url: string } | { kind: 'unresolved'; note: string };

/**
 * What the caller can show: `url` (the annotator API, Label Studio projects that load content by
 * URL) takes http(s) and S3 content as a URL; `text` (Label Studio's text projects) has the
 * service fetch it. Custom schemes are always fetched here, since no browser can load them.
 */
export type ContentUse = 'url' | 'text';

/**
 * Resolves an item's input URI to what the annotator is shown, by scheme: inline text and
 * `data:` text as they are; `http(s)://` as the URL; `s3://bucket/key` as a presigned (or plain)
 * URL; a custom scheme through the HTTP template DISPATCH_CONTENT_RESOLVERS gives it, fetched with
 * a timeout and a size cap. A failure never throws: the item comes back `unresolved` with a note
 * naming it and its scheme, a warning is logged (once per scheme when the scheme has no resolver) and `labelloop_dispatch_content_unresolved_total`
 * counts it, so one bad item never holds up the queue.
 */
@Injectable()
export class ContentResolver implements OnModuleDestroy {
  /** Items whose content could not be resolved, by scheme and reason. */
  readonly failures: Counter<'scheme' | 'reason'>;
  private readonly s3: S3UrlSigner;
  /** Schemes already reported as having no resolver: a config gap, logged once rather than per item. */
  private readonly unknownSchemes = new Set<string>();

  constructor(
    @Inject(CONFIG) private readonly config: DispatchConfig,
    @Inject(METRICS) metrics: Metrics,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {
    this.failures = new Counter({
      name: 'labelloop_dispatch_content_unresolved_total',
      help: "Items shown without their content (it could not be resolved), by the input URI's scheme and the reason",
      labelNames: ['scheme', 'reason'],
      registers: [metrics.registry],
    });
    this.s3 = new S3UrlSigner({
      presign: config.DISPATCH_S3_PRESIGN,
      ttlSeconds: config.DISPATCH_S3_URL_TTL_SECONDS,
      endpoint: config.DISPATCH_S3_ENDPOINT,
      region: config.DISPATCH_S3_REGION,
      forcePathStyle: config.DISPATCH_S3_FORCE_PATH_STYLE,
    });
  }

  /** The content of one item (never throws; see the class comment). */
  async resolve(itemId: string, uri: string, use: ContentUse): Promise<ItemContent> {
    const scheme = schemeOf(uri) ?? 'inline';
    try {
      return await this.resolveOrThrow(uri, use);
    } catch (e) {
      const err = e instanceof ContentError ? e : new ContentError('network', (e as Error).message);
      this.failures.inc({ scheme, reason: err.reason });
      const repeat = err.reason === 'no_resolver' && this.unknownSchemes.has(scheme);
      if (err.reason === 'no_resolver') this.unknownSchemes.add(scheme);
      if (!repeat) this.logger.warn({ msg: 'item content not resolved', item: itemId, scheme, reason: err.reason, error: err.message }, 'ContentResolver');
      return { kind: 'unresolved', note: `item ${itemId}: content of scheme "${scheme}" not available: ${err.message}` };
    }
  }

  private async resolveOrThrow(uri: string, use: ContentUse): Promise<ItemContent> {
    const ref = contentRef(uri, this.config.DISPATCH_CONTENT_RESOLVERS);
    const limits = { timeoutMs: this.config.DISPATCH_CONTENT_TIMEOUT_MS, maxBytes: this.config.DISPATCH_CONTENT_MAX_BYTES };
    switch (ref.kind) {
      case 'text':
        return ref;
      case 'unresolvable':
        throw new ContentError(ref.reason.startsWith('no resolver') ? 'no_resolver' : 'invalid_uri', ref.reason);
      case 'custom':
        return { kind: 'text', text: await fetchText(ref.url, limits) };
      case 'url':
        return use === 'url' || ref.url.startsWith('data:') ? ref : { kind: 'text', text: await fetchText(ref.url, limits) };
      case 's3': {
        const url = await this.s3.url(ref.bucket, ref.key);
        return use === 'url' ? { kind: 'url', url } : { kind: 'text', text: await fetchText(url, limits) };
      }
    }
  }

  onModuleDestroy(): void {
    this.s3.close();
  }
}
