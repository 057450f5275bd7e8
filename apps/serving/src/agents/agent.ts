/**
 * An agent produces tips or nudges. It carries its own `id` and `version` so the registry can
 * prove that it and the `MANIFEST` exported beside it describe the same thing (SPEC §5).
 */
export interface Agent {
  readonly id: string;
  readonly version: string;
  /** One sentence for operators reading `GET /agents/registry` or the logs. */
  readonly description: string;
}

/**
 * The shape of an agent module: `import * as tipGenerator from './tip-generator.js'` is one.
 * `MANIFEST` is `unknown` here on purpose: the registry validates it at start-up rather than
 * trusting the compiler, because a manifest can be wrong in ways no type can express
 * (an invalid JSON Schema, a version that drifted from the agent's).
 */
export interface AgentModule {
  readonly MANIFEST: unknown;
  readonly agent: Agent;
}
