import { ValidationError } from '../errors.js';
import type { PromptTemplate } from './prompt-template.js';
import { PROMPT_V1 } from './v1.js';

/** Every released prompt, by version. Templates are code, so they ship inside the build. */
export const PROMPTS: Readonly<Record<string, PromptTemplate>> = Object.freeze({
  [PROMPT_V1.version]: PROMPT_V1,
});

export const PROMPT_VERSIONS: readonly string[] = Object.freeze(Object.keys(PROMPTS));

/** A `prompt_version` (or `DEFAULT_PROMPT_VERSION`) that names no released prompt: 422. */
// `name` stays 'ValidationError': it is how the error handler and logs classify a 422.
export class UnknownPromptVersionError extends ValidationError {
  constructor(readonly version: string) {
    super([
      {
        path: 'prompt_version',
        message: `unknown prompt version ${JSON.stringify(version.slice(0, 64))}; known: ${PROMPT_VERSIONS.join(', ')}`,
      },
    ]);
  }
}

export function getPrompt(version: string): PromptTemplate {
  // Own-property lookup: `constructor` or `__proto__` must not resolve to Object.prototype members.
  if (!Object.hasOwn(PROMPTS, version)) throw new UnknownPromptVersionError(version);
  return PROMPTS[version]!;
}
