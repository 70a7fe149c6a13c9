/**
 * An LLM as an annotator, over the OpenAI-compatible chat-completions API (`POST {base}/chat/completions`),
 * which vLLM, Ollama, llama.cpp's server and hosted APIs all speak. The project's prompt is
 * versioned: the version is part of the annotator identity (`machine:llm-<model>@<promptVersion>`),
 * so QA learns a separate confusion matrix for each prompt.
 *
 * The reply is parsed into the project's classes: the bare class name (any case, surrounding
 * punctuation ignored) or JSON `{"label": "<class>"}`; anything else is an abstention, never a
 * guess. Every call has a timeout, calls are spaced to a rate limit, 429 and 5xx are retried
 * (honouring `Retry-After`), and the cost of each call is computed from the reported token usage.
 */
import { postJson } from './http';
import type { MachineAnswer } from './machine-answer';
import { RateLimiter } from './rate-limiter';

export interface LlmAnnotatorOptions {
  /** API root including the version path, e.g. http://vllm:8000/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  prompt: { version: string; system: string };
  classes: ReadonlyArray<string>;
  timeoutMs: number;
  /** Calls started per second at most. */
  maxCallsPerSecond: number;
  /** Retries after 429 or 5xx (default 2). */
  maxRetries?: number;
  /** Price per 1,000 prompt and completion tokens, in the project's currency (default 0). */
  pricePer1kInput?: number;
  pricePer1kOutput?: number;
}

interface ChatCompletion {
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** The class named by a reply, or undefined when it names none (or several). */
export function parseLabel(reply: string, classes: ReadonlyArray<string>): string | undefined {
  const byLower = new Map(classes.map((c) => [c.toLowerCase(), c]));
  const trimmed = reply.trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as { label?: unknown };
      return typeof j.label === 'string' ? byLower.get(j.label.trim().toLowerCase()) : undefined;
    } catch {
      return undefined;
    }
  }
  return byLower.get(trimmed.replace(/^["'`*\s]+|["'`*.!\s]+$/g, '').toLowerCase());
}

export class LlmAnnotator {
  readonly annotator: string;
  private readonly limiter: RateLimiter;
  private readonly url: string;

  constructor(private readonly o: LlmAnnotatorOptions) {
    if (o.classes.length < 2) throw new RangeError('LlmAnnotator: a project needs at least two classes');
    this.annotator = `machine:llm-${o.model}@${o.prompt.version}`;
    this.limiter = new RateLimiter(o.maxCallsPerSecond);
    this.url = `${o.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  /** Asks the model for one item's label. */
  async annotate(content: string): Promise<MachineAnswer> {
    const started = performance.now();
    const reply = await postJson(
      this.url,
      {
        model: this.o.model,
        temperature: 0,
        max_tokens: 16,
        messages: [
          { role: 'system', content: `${this.o.prompt.system}\nAnswer with exactly one of: ${this.o.classes.join(', ')}.` },
          { role: 'user', content },
        ],
      },
      {
        limiter: this.limiter,
        timeoutMs: this.o.timeoutMs,
        maxRetries: this.o.maxRetries ?? 2,
        headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {},
        what: 'chat completion',
      },
    );
    return this.answer(reply as ChatCompletion, performance.now() - started);
  }

  private answer(c: ChatCompletion, latencyMs: number): MachineAnswer {
    const promptTokens = c.usage?.prompt_tokens ?? 0;
    const completionTokens = c.usage?.completion_tokens ?? 0;
    const cost = (promptTokens * (this.o.pricePer1kInput ?? 0) + completionTokens * (this.o.pricePer1kOutput ?? 0)) / 1000;
    const base = { annotator: this.annotator, cost, latencyMs, usage: { promptTokens, completionTokens } };
    const reply = c.choices?.[0]?.message?.content;
    if (typeof reply !== 'string') return { ...base, abstainReason: 'the reply has no message content' };
    const label = parseLabel(reply, this.o.classes);
    return label === undefined ? { ...base, abstainReason: `the reply names no class: ${JSON.stringify(reply.slice(0, 80))}` } : { ...base, label };
  }
}
