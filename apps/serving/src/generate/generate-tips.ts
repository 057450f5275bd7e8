import { randomUUID } from 'node:crypto';
import type { GenerateRequest, GenerateResponse, SilencedResponse, TipCandidate } from '@oo/contracts';
import { ConfigError, type Logger } from '@oo/observability';
import { enforceManifest, expiresAt } from '../agents/manifest-enforcement.js';
import type { AgentRegistry } from '../agents/registry.js';
import { agent as tipGenerator } from '../agents/tip-generator.js';
import type { ChatCompletionsClient } from '../llm/chat-completions.js';
import { getPrompt, PROMPT_VERSIONS } from '../prompts/prompts.js';
import { parseTipAnswer } from './tip-answer.js';

export interface GenerateTipsDeps {
  /** Must hold the `tip-generator` agent. */
  registry: AgentRegistry;
  llm: ChatCompletionsClient;
  /** `DEFAULT_PROMPT_VERSION`; checked when the use case is created. */
  defaultPromptVersion: string;
  /** Lines carry counts, versions and statuses only: never task titles or tip text. */
  logger: Pick<Logger, 'info'>;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default () => `tip_${randomUUID()}` */
  newTipId?: () => string;
}

export type GenerateTips = (
  request: GenerateRequest,
  options?: { signal?: AbortSignal },
) => Promise<GenerateResponse | SilencedResponse>;

// Sampling slightly above deterministic: tips should vary between calls but stay on task.
const TEMPERATURE = 0.4;
// Room for ten 280-character tips with their JSON, in any language.
const MAX_TOKENS = 2048;

/**
 * POST /generate without HTTP: enforces the tip-generator's manifest, renders the versioned
 * prompt, asks the gateway for JSON, validates the answer and turns it into candidates.
 * Throws `ConfigError` when `defaultPromptVersion` names no prompt, so start-up fails instead
 * of every request.
 */
export function createGenerateTips(deps: GenerateTipsDeps): GenerateTips {
  if (!PROMPT_VERSIONS.includes(deps.defaultPromptVersion)) {
    throw new ConfigError(
      ['DEFAULT_PROMPT_VERSION'],
      `DEFAULT_PROMPT_VERSION: ${JSON.stringify(deps.defaultPromptVersion)} names no prompt template; known: ${PROMPT_VERSIONS.join(', ')}`,
    );
  }
  const entry = deps.registry.require(tipGenerator.id);
  const now = deps.now ?? (() => new Date());
  const newTipId = deps.newTipId ?? (() => `tip_${randomUUID()}`);

  return async (request, options = {}) => {
    const decidedAt = now();
    const enforcement = enforceManifest(entry, request);
    if (enforcement.silenced) {
      deps.logger.info({ agent: entry.manifest.id, context: request.context }, 'tip generation silenced');
      return { agent: entry.manifest.id, silenced: true, reason: enforcement.reason, candidates: [] };
    }

    const prompt = getPrompt(request.prompt_version ?? deps.defaultPromptVersion);
    const started = performance.now();
    const completion = await deps.llm.complete(
      {
        model: tipGenerator.model,
        messages: prompt.render({
          now: decidedAt,
          n: request.n,
          tasks: request.tasks,
          prefs: enforcement.prefs,
        }),
        response_format: { type: 'json_object' },
        temperature: TEMPERATURE,
        max_tokens: MAX_TOKENS,
      },
      options,
    );
    const tips = parseTipAnswer(completion.content, new Set(request.tasks.map((task) => task.id)));

    const expires = expiresAt(decidedAt, entry.manifest);
    const candidates: TipCandidate[] = tips
      .slice(0, request.n)
      .map((tip) => ({ id: newTipId(), text: tip.text, task_id: tip.task_id, expires_at: expires }));
    const model = completion.model && completion.model.length > 0 ? completion.model : tipGenerator.model;

    deps.logger.info(
      {
        agent: entry.manifest.id,
        prompt_version: prompt.version,
        model,
        tasks: request.tasks.length,
        requested: request.n,
        returned_by_model: tips.length,
        candidates: candidates.length,
        attempts: completion.attempts,
        finish_reason: completion.finishReason,
        duration_ms: Math.round(performance.now() - started),
      },
      'tips generated',
    );
    return { agent: entry.manifest.id, prompt_version: prompt.version, model, candidates };
  };
}
