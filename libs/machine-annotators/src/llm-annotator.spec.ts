import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, startChatCompletionsServer } from '@labelloop/testing';
import { MachineCallError } from './http';
import { LlmAnnotator, parseLabel } from './llm-annotator';

/*
 * Contract test, against the server in @labelloop/testing that answers exactly as OpenAI's API
 * reference documents `POST /v1/chat/completions` (the shape vLLM, Ollama and llama.cpp's server
 * also return). The machine-annotator e2e runs the same server.
 */
const completion = chatCompletion;
const server = startChatCompletionsServer;

const options = (base: string) => ({
  baseUrl: base,
  model: 'qwen2.5-7b-instruct',
  apiKey: 'sk-test',
  prompt: { version: 'p3', system: 'You label emails as spam or ham.' },
  classes: ['spam', 'ham'],
  timeoutMs: 2000,
  maxCallsPerSecond: 50,
  pricePer1kInput: 0.5,
  pricePer1kOutput: 1.5,
});

describe('contract: OpenAI-compatible chat completions (LlmAnnotator)', () => {
  it('sends the documented request and reads label, usage and cost from the documented reply', async () => {
    const srv = await server([{ status: 200, body: completion('Spam.') }]);
    try {
      const llm = new LlmAnnotator(options(srv.base));
      const a = await llm.annotate('WIN A PRIZE now');
      expect(a).toMatchObject({ annotator: 'machine:llm-qwen2.5-7b-instruct@p3', label: 'spam', usage: { promptTokens: 52, completionTokens: 2 } });
      expect(a.cost).toBeCloseTo((52 * 0.5 + 2 * 1.5) / 1000, 12);
      expect(srv.seen[0].auth).toBe('Bearer sk-test');
      expect(srv.seen[0].body).toMatchObject({ model: 'qwen2.5-7b-instruct', temperature: 0 });
      expect(srv.seen[0].body.messages).toEqual([
        { role: 'system', content: 'You label emails as spam or ham.\nAnswer with exactly one of: spam, ham.' },
        { role: 'user', content: 'WIN A PRIZE now' },
      ]);
    } finally {
      await srv.close();
    }
  });

  it('abstains on a reply that names no class or has no content, never guesses', async () => {
    const srv = await server([
      { status: 200, body: completion('It could be either.') },
      { status: 200, body: completion(null) },
    ]);
    try {
      const llm = new LlmAnnotator(options(srv.base));
      const vague = await llm.annotate('x');
      expect(vague.label).toBeUndefined();
      expect(vague.abstainReason).toBe('the reply names no class: "It could be either."');
      const empty = await llm.annotate('x');
      expect(empty.label).toBeUndefined();
      expect(empty.abstainReason).toBe('the reply has no message content');
    } finally {
      await srv.close();
    }
  });

  it('retries 429 after Retry-After and 5xx, and reports a 4xx with the API message', async () => {
    const srv = await server([
      {
        status: 429,
        headers: { 'retry-after': '0' },
        body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
      },
      { status: 503, body: { error: { message: 'The engine is currently overloaded', type: 'server_error', code: null } } },
      { status: 200, body: completion('{"label": "ham"}') },
      { status: 401, body: { error: { message: 'Incorrect API key provided: sk-test.', type: 'invalid_request_error', code: 'invalid_api_key' } } },
    ]);
    try {
      const llm = new LlmAnnotator(options(srv.base));
      expect((await llm.annotate('hello mum')).label).toBe('ham');
      expect(srv.seen).toHaveLength(3);
      const err = await llm.annotate('x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MachineCallError);
      expect(err).toMatchObject({ status: 401, message: 'chat completion failed with HTTP 401: Incorrect API key provided: sk-test.' });
    } finally {
      await srv.close();
    }
  });

  it('gives up after its retries on a persistent 429', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
    };
    const srv = await server([limited, limited, limited]);
    try {
      await expect(new LlmAnnotator({ ...options(srv.base), maxRetries: 2 }).annotate('x')).rejects.toMatchObject({ status: 429 });
      expect(srv.seen).toHaveLength(3);
    } finally {
      await srv.close();
    }
  });

  it('a call that outlives its timeout fails instead of hanging the annotator', async () => {
    const s = http.createServer(() => undefined);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`;
      await expect(new LlmAnnotator({ ...options(base), timeoutMs: 200 }).annotate('x')).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
});

describe('parseLabel', () => {
  it('accepts a class name in any case with punctuation, or JSON; nothing else', () => {
    const classes = ['spam', 'ham'];
    expect(parseLabel(' **HAM** ', classes)).toBe('ham');
    expect(parseLabel('"spam".', classes)).toBe('spam');
    expect(parseLabel('{"label":"Spam"}', classes)).toBe('spam');
    expect(parseLabel('spam or ham', classes)).toBeUndefined();
    expect(parseLabel('{"label": 3}', classes)).toBeUndefined();
    expect(parseLabel('{not json', classes)).toBeUndefined();
  });
});
