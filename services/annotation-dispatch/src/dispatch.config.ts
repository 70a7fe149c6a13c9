import { baseConfigSchema, z } from '@labelloop/config';

/** Annotation dispatch settings. */
export const dispatchConfigSchema = baseConfigSchema.extend({
  /** Annotators per item (overlap k). */
  DISPATCH_OVERLAP: z.coerce.number().int().min(1).max(20).default(1),
  /** How long a leased task stays with its annotator before it returns to the queue. */
  DISPATCH_LEASE_SECONDS: z.coerce.number().int().positive().default(300),
  /** Guideline version recorded on new tasks (until guidelines are managed through the API). */
  DISPATCH_GUIDELINE_VERSION: z.string().min(1).default('v1'),
  /** Allowed classes of the default classification schema (comma-separated); empty = any. */
  DISPATCH_LABEL_CLASSES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean)),
  /** Multi-label classification allowed. */
  DISPATCH_MULTI_LABEL: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
/** Parsed dispatch config. */
export type DispatchConfig = z.infer<typeof dispatchConfigSchema>;
