import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { backoffDelayMs, parseRetryAfterMs } from './backoff.js';
import { UpstreamError, UpstreamInvalidResponseError, UpstreamTimeoutError } from './errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletionRequest {
  /** The gateway's model alias, e.g. `tip-generator`. */
  model: string;
  messages: readonly ChatMessage[];
  response_format?: { type: 'json_object' } | { type: 'text' };
  temperature?: number;
  max_tokens?: number;
}

export interface ChatCompletion {
  /** The model the gateway reports having used (LiteLLM echoes the deployment's model name). */
  model: string | null;
  /** The assistant message's text, unparsed. */
  content: string;
  finishReason: string | null;
  /** HTTP requests made, retries included. */
  attempts: number;
}

export interface ChatCompletionsClient {
  /**
   * Throws `UpstreamError`, `UpstreamTimeoutError` or `UpstreamInvalidResponseError`; when the
   * caller's `signal` aborts first, its reason.
   */
  complete(request: ChatCompletionRequest, options?: { signal?: AbortSignal }): Promise<ChatCompletion>;
}

export interface ChatCompletionsClientOptions {
  /** Gateway base URL; `/chat/completions` is appended (`LITELLM_URL`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` (`LITELLM_MASTER_KEY`). */
  apiKey: string;
  /** Deadline for the whole call, retries and back-off included (`LITELLM_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Extra attempts after a 429 or 5xx. @default 2 */
  maxRetries?: number;
  /** First back-off step; doubles per retry, full jitter. @default 200 */
  backoffBaseMs?: number;
  /** Ceiling of one back-off step, and of an honoured `Retry-After`. @default 2000 */
  backoffMaxMs?: number;
  /** Larger 2xx bodies are rejected as invalid. @default 1 MiB */
  maxResponseBytes?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Uniform [0, 1) source for the jitter. @default Math.random */
  random?: () => number;
}

// The subset of the OpenAI chat-completions response we depend on; everything else is ignored
// so gateway upgrades that add fields keep working.
const ChatCompletionResponse = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

export function createChatCompletionsClient(options: ChatCompletionsClientOptions): ChatCompletionsClient {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const maxRetries = options.maxRetries ?? 2;
  const backoffBaseMs = options.backoffBaseMs ?? 200;
  const backoffMaxMs = options.backoffMaxMs ?? 2000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const random = options.random ?? Math.random;
  const { timeoutMs } = options;

  return {
    async complete(request, callOptions = {}) {
      const startedAt = performance.now();
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = callOptions.signal ? AbortSignal.any([deadline, callOptions.signal]) : deadline;
      const body = JSON.stringify(request);
      let attempts = 0;

      for (;;) {
        attempts++;
        let response: Response;
        try {
          response = await fetchImpl(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              authorization: `Bearer ${options.apiKey}`,
            },
            body,
            signal,
            // A gateway has no business redirecting; following would resend the prompt elsewhere.
            redirect: 'manual',
          });
        } catch (error) {
          throw failure(error, signal, deadline, timeoutMs, attempts);
        }

        if (response.ok) {
          let text: string;
          try {
            text = await readBounded(response, maxResponseBytes);
          } catch (error) {
            throw failure(error, signal, deadline, timeoutMs, attempts);
          }
          return parseCompletion(text, attempts);
        }

        // The error body is not needed: only the status decides what happens next.
        await response.body?.cancel().catch(() => {});
        const retryable = response.status === 429 || response.status >= 500;
        if (!retryable || attempts > maxRetries) {
          throw new UpstreamError(response.status, attempts);
        }
        const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), Date.now());
        const delayMs = Math.max(
          backoffDelayMs(attempts - 1, { baseMs: backoffBaseMs, maxMs: backoffMaxMs }, random),
          Math.min(retryAfterMs ?? 0, backoffMaxMs),
        );
        // Waiting past the deadline would turn a clear upstream answer into a vague time-out.
        if (performance.now() - startedAt + delayMs >= timeoutMs) {
          throw new UpstreamError(response.status, attempts);
        }
        try {
          await sleep(delayMs, undefined, { signal });
        } catch (error) {
          throw failure(error, signal, deadline, timeoutMs, attempts);
        }
      }
    },
  };
}

function failure(
  error: unknown,
  signal: AbortSignal,
  deadline: AbortSignal,
  timeoutMs: number,
  attempts: number,
): Error {
  if (deadline.aborted) return new UpstreamTimeoutError(timeoutMs);
  // The caller gave up (e.g. the client disconnected): report its reason, not an upstream fault.
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error('aborted');
  if (error instanceof UpstreamInvalidResponseError) return error;
  return new UpstreamError(null, attempts, { cause: error });
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new UpstreamInvalidResponseError(`body larger than ${maxBytes} bytes`);
  }
  if (!response.body) return '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new UpstreamInvalidResponseError(`body larger than ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function parseCompletion(text: string, attempts: number): ChatCompletion {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: V8's SyntaxError quotes the text, which may quote the user's task titles.
    throw new UpstreamInvalidResponseError('body is not JSON');
  }
  const parsed = ChatCompletionResponse.safeParse(json);
  if (!parsed.success) {
    throw new UpstreamInvalidResponseError('body is not a chat completion');
  }
  const choice = parsed.data.choices[0]!;
  const content = choice.message.content;
  if (typeof content !== 'string' || content.length === 0) {
    throw new UpstreamInvalidResponseError('the completion has no content');
  }
  return {
    model: parsed.data.model ?? null,
    content,
    finishReason: choice.finish_reason ?? null,
    attempts,
  };
}
