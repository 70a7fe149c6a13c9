import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Contract server. It answers exactly as OpenAI's API reference documents
 * `POST /v1/chat/completions` (the shape vLLM, Ollama and llama.cpp's server also return):
 * a `chat.completion` object with `choices[].message.content` and `usage`, and errors as
 * `{"error": {"message", "type", "code"}}` with 429 + Retry-After when rate-limited. Any other
 * path is a 404 in the API's error shape.
 */

/** A chat-completions request as the server saw it. */
export interface ChatCompletionsSeen {
  auth?: string;
  body: { model: string; temperature: number; messages: Array<{ role: string; content: string }> };
}

/** One scripted reply. */
export type ChatCompletionsReply = { status: number; body: unknown; headers?: Record<string, string> };

/** A documented `chat.completion` body with the given message content and token usage. */
export function chatCompletion(content: string | null, promptTokens = 52, completionTokens = 2) {
  return {
    id: 'chatcmpl-abc123',
    object: 'chat.completion',
    created: 1764806400,
    model: 'qwen2.5-7b-instruct',
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/**
 * Starts the contract server on 127.0.0.1 (any free port). `replies` is a script, consumed in
 * order (a 500 once it runs out), or a function answering each request.
 */
export async function startChatCompletionsServer(replies: ChatCompletionsReply[] | ((req: ChatCompletionsSeen) => ChatCompletionsReply)) {
  const seen: ChatCompletionsSeen[] = [];
  const s = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' } }));
        return;
      }
      const one: ChatCompletionsSeen = { auth: req.headers.authorization, body: JSON.parse(data) };
      seen.push(one);
      const r =
        typeof replies === 'function'
          ? replies(one)
          : (replies.shift() ?? { status: 500, body: { error: { message: 'no reply scripted', type: 'server_error', code: null } } });
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`, seen, close: () => new Promise((r) => s.close(r)) };
}
