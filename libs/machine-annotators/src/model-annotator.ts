/**
 * A model as an annotator: any HTTP endpoint that returns class probabilities for an item, for
 * example a retrained candidate served behind a small handler. It answers the most probable class
 * when that probability reaches `minConfidence` and abstains otherwise.
 *
 * Request:  POST <url>  {"id": "...", "text": "...", "features": {"<name>": 1.5}, "metadata": {"<key>": "..."}}
 * Response: {"probabilities": {"<class>": 0.93, "<class>": 0.07}}   (classes of the project's schema)
 */
import { z } from 'zod';
import { postJson } from './http';
import type { MachineAnswer } from './machine-answer';
import { RateLimiter } from './rate-limiter';

export interface ModelAnnotatorOptions {
  url: string;
  /** With the version, the annotator identity: machine:model-<name>@<version>. */
  name: string;
  version: string;
  classes: ReadonlyArray<string>;
  minConfidence: number;
  timeoutMs: number;
  maxCallsPerSecond: number;
  maxRetries?: number;
  headers?: Record<string, string>;
}

export interface ModelInput {
  id: string;
  text?: string;
  features?: Readonly<Record<string, number>>;
  metadata?: Readonly<Record<string, string>>;
}

const reply = z.object({ probabilities: z.record(z.number().min(0).max(1)) });

export class ModelAnnotator {
  readonly annotator: string;
  private readonly limiter: RateLimiter;

  constructor(private readonly o: ModelAnnotatorOptions) {
    if (!(o.minConfidence >= 0 && o.minConfidence <= 1)) throw new RangeError(`minConfidence must be in [0, 1], got ${o.minConfidence}`);
    this.annotator = `machine:model-${o.name}@${o.version}`;
    this.limiter = new RateLimiter(o.maxCallsPerSecond);
  }

  async annotate(item: ModelInput): Promise<MachineAnswer> {
    const started = performance.now();
    const raw = await postJson(this.o.url, item, {
      limiter: this.limiter,
      timeoutMs: this.o.timeoutMs,
      maxRetries: this.o.maxRetries ?? 2,
      headers: this.o.headers,
      what: `model ${this.o.name}`,
    });
    const base = { annotator: this.annotator, cost: 0, latencyMs: performance.now() - started };
    const parsed = reply.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ...base, abstainReason: `the reply is not {"probabilities": {class: p}}: ${[...i.path].join('.') || 'body'}: ${i.message}` };
    }
    const unknown = Object.keys(parsed.data.probabilities).filter((c) => !this.o.classes.includes(c));
    if (unknown.length > 0) return { ...base, abstainReason: `the reply names classes outside the schema: ${unknown.join(', ')}` };
    let best: string | undefined;
    let p = -1;
    for (const c of this.o.classes) {
      const v = parsed.data.probabilities[c] ?? 0;
      if (v > p) [best, p] = [c, v];
    }
    return p >= this.o.minConfidence
      ? { ...base, label: best }
      : { ...base, abstainReason: `most probable class ${best} at ${p.toFixed(3)} is below ${this.o.minConfidence}` };
  }
}
