import { baseConfigSchema, commaList, flag, secret, z } from '@labelloop/config';
import { contentResolversSchema } from './content/content-uri';

/** Annotation dispatch settings. */
export const dispatchConfigSchema = baseConfigSchema
  .extend({
    /** Annotators per item (overlap k). */
    DISPATCH_OVERLAP: z.coerce.number().int().min(1).max(20).default(1),
    /** How long a leased task stays with its annotator before it returns to the queue. */
    DISPATCH_LEASE_SECONDS: z.coerce.number().int().positive().default(300),
    /** Guideline version recorded on new tasks (until guidelines are managed through the API). */
    DISPATCH_GUIDELINE_VERSION: z.string().min(1).default('v1'),
    /** Allowed classes of the default classification schema (comma-separated); empty = any. */
    DISPATCH_LABEL_CLASSES: commaList(),
    /** Multi-label classification allowed. */
    DISPATCH_MULTI_LABEL: flag(false),
    /** Share of an annotator's tasks that are gold items (known answers, hidden as such); 0 = none. */
    DISPATCH_GOLD_RATE: z.coerce.number().min(0).max(0.5).default(0),
    /**
     * JSON file of gold items loaded at start (upserted):
     * `[{"projectId": "p", "itemId": "g1", "inputUri": "...", "classes": ["spam"]}]`.
     */
    DISPATCH_GOLD_FILE: z.string().optional(),
    /**
     * Projects whose items annotators see unredacted (comma-separated). Everywhere else, e-mail
     * addresses, phone numbers, card numbers, IBANs and IPv4 addresses in an item's text are
     * replaced before it reaches the annotator API or Label Studio.
     */
    DISPATCH_PII_REDACTION_OFF: commaList(),
    /**
     * Custom URI schemes and where their content is fetched, as JSON: scheme → HTTP(S) URL template
     * with `{path}` (the URI after `scheme://`, each segment percent-encoded) or `{uri}` (the whole
     * URI, percent-encoded), e.g. `{"spamassassin":"http://corpus:8000/messages/{path}"}`. The
     * service fetches the text (DISPATCH_CONTENT_TIMEOUT_MS, DISPATCH_CONTENT_MAX_BYTES) and shows
     * it to annotators, redacted like any text.
     */
    DISPATCH_CONTENT_RESOLVERS: contentResolversSchema,
    /** How long a server-side content fetch may take before the item is shown unresolved. */
    DISPATCH_CONTENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** Largest content body fetched server-side (bytes); a larger one is shown unresolved. */
    DISPATCH_CONTENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** `s3://bucket/key` items: a presigned GET URL (`true`) or a plain URL to the object (`false`, public buckets). */
    DISPATCH_S3_PRESIGN: flag(true),
    /** Lifetime of a presigned URL, in seconds (at most 7 days, S3's limit). */
    DISPATCH_S3_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(3600),
    /** S3-compatible endpoint for `s3://` items (unset: AWS). Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ...). */
    DISPATCH_S3_ENDPOINT: z.string().url().optional(),
    DISPATCH_S3_REGION: z.string().min(1).default('us-east-1'),
    DISPATCH_S3_FORCE_PATH_STYLE: flag(false),
    /**
     * Label Studio projects whose items are shown by URL (`<Text value="$url" valueType="url"/>`,
     * the browser fetches the content) instead of as text the service put in the task. Everywhere
     * else, http(s) and s3 content is fetched by the service and imported as (redacted) text.
     */
    LABEL_STUDIO_URL_PROJECTS: commaList(),
    /** Label Studio server (e.g. `http://127.0.0.1:18080`); empty = no Label Studio connector. */
    LABEL_STUDIO_URL: z.string().url().optional(),
    /** Label Studio API token of the account the connector acts as; or a file: LABEL_STUDIO_TOKEN_FILE. */
    LABEL_STUDIO_TOKEN: secret(z.string()).optional(),
    /** LabelLoop projects whose items are sent to Label Studio (comma-separated). */
    LABEL_STUDIO_PROJECTS: commaList(),
    /** How often the connector imports new tasks and polls for annotations (the webhook's fallback). */
    LABEL_STUDIO_POLL_MS: z.coerce.number().int().min(100).default(5000),
    /** URL Label Studio posts new annotations to (this service's /label-studio/webhook); empty = polling only. */
    LABEL_STUDIO_WEBHOOK_URL: z.string().url().optional(),
    /** Shared secret Label Studio sends in the X-LabelLoop-Secret header; or a file: LABEL_STUDIO_WEBHOOK_SECRET_FILE. */
    LABEL_STUDIO_WEBHOOK_SECRET: secret(z.string().min(16)).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.LABEL_STUDIO_URL) return;
    if (!c.LABEL_STUDIO_TOKEN) ctx.addIssue({ code: 'custom', path: ['LABEL_STUDIO_TOKEN'], message: 'is required when LABEL_STUDIO_URL is set' });
    if (c.DISPATCH_LABEL_CLASSES.length === 0)
      ctx.addIssue({ code: 'custom', path: ['DISPATCH_LABEL_CLASSES'], message: 'Label Studio needs the list of classes' });
    if (c.LABEL_STUDIO_WEBHOOK_URL && !c.LABEL_STUDIO_WEBHOOK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['LABEL_STUDIO_WEBHOOK_SECRET'], message: 'is required with LABEL_STUDIO_WEBHOOK_URL' });
  });
/** Parsed dispatch config. */
export type DispatchConfig = z.infer<typeof dispatchConfigSchema>;
