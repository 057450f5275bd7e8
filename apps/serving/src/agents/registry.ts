import { AgentManifest, type RegisteredAgent } from '@oo/contracts';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { FieldIssue } from '../errors.js';
import type { Agent, AgentModule } from './agent.js';

/** One reason the registry refused to start, naming the agent and the field at fault. */
export interface AgentRegistryProblem {
  agent: string;
  field: string;
  message: string;
}

/** Thrown at start-up; the service must not listen with agents it cannot vouch for. */
export class AgentRegistryError extends Error {
  override readonly name = 'AgentRegistryError';

  constructor(readonly problems: readonly AgentRegistryProblem[]) {
    super(
      problems.length === 1
        ? describe(problems[0]!)
        : `${problems.length} agent registry problems:\n${problems.map((p) => `- ${describe(p)}`).join('\n')}`,
    );
  }
}

function describe(problem: AgentRegistryProblem): string {
  return `agent ${problem.agent}: ${problem.field} ${problem.message}`;
}

/** Checks prefs against the agent's `pref_schema`; no issues means valid. Paths start at `prefs`. */
export type PrefsValidator = (prefs: unknown) => FieldIssue[];

export interface AgentEntry {
  readonly agent: Agent;
  /** Validated and deep-frozen. */
  readonly manifest: Readonly<AgentManifest>;
  readonly validatePrefs: PrefsValidator;
}

export interface AgentRegistry {
  /** Every agent with its manifest, in registration order: the body of `GET /agents/registry`. */
  list(): RegisteredAgent[];
  get(id: string): AgentEntry | undefined;
  /** Like `get`, for agents the service cannot run without; throws when `id` is not registered. */
  require(id: string): AgentEntry;
}

const MAX_PREF_ISSUES = 20;

/**
 * Validates every agent module and returns the registry, or throws one `AgentRegistryError`
 * listing every problem: a manifest the `AgentManifest` schema rejects, an id or version that
 * differs between agent and manifest, a `pref_schema` that does not compile as a JSON Schema
 * (draft 2020-12, ajv strict mode), or a duplicate id.
 */
export function createAgentRegistry(modules: readonly AgentModule[]): AgentRegistry {
  // strict: unknown keywords, ignored keywords and loose types are schema bugs, not extensions.
  // allErrors: a 422 names every bad preference at once; the schemas are ours, so the cost of
  // collecting all errors is bounded.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default`
  // is the plugin (the same function, so this also holds where interop unwraps it).
  ajvFormats.default(ajv);

  const problems: AgentRegistryProblem[] = [];
  const entries = new Map<string, AgentEntry>();

  modules.forEach((module, index) => {
    const { agent } = module;
    const label =
      typeof agent?.id === 'string' && agent.id.length > 0 ? JSON.stringify(agent.id) : `#${index}`;
    const report = (field: string, message: string) => problems.push({ agent: label, field, message });

    if (typeof agent?.id !== 'string' || agent.id.length === 0)
      report('agent.id', 'must be a non-empty string');
    if (typeof agent?.version !== 'string') report('agent.version', 'must be a string');

    const parsed = AgentManifest.safeParse(module.MANIFEST);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        report(['manifest', ...issue.path.map(String)].join('.'), `is invalid: ${issue.message}`);
      }
      return;
    }
    const manifest = parsed.data;
    if (manifest.id !== agent?.id) {
      report(
        'manifest.id',
        `${JSON.stringify(manifest.id)} does not match agent id ${JSON.stringify(agent?.id)}`,
      );
    }
    if (manifest.version !== agent?.version) {
      report(
        'manifest.version',
        `${JSON.stringify(manifest.version)} does not match agent version ${JSON.stringify(agent?.version)}`,
      );
    }
    if (entries.has(manifest.id)) {
      report('manifest.id', `${JSON.stringify(manifest.id)} is already registered by an earlier agent`);
      return;
    }

    let validate: ValidateFunction;
    try {
      validate = ajv.compile(manifest.pref_schema);
    } catch (error) {
      report('manifest.pref_schema', `is not a valid JSON Schema: ${(error as Error).message}`);
      return;
    }
    entries.set(manifest.id, {
      agent,
      manifest: deepFreeze(structuredClone(manifest)),
      validatePrefs: (prefs) => (validate(prefs) ? [] : toFieldIssues(validate.errors ?? [])),
    });
  });

  if (problems.length > 0) throw new AgentRegistryError(problems);

  const listing: RegisteredAgent[] = [...entries.values()].map((entry) => ({
    id: entry.agent.id,
    version: entry.agent.version,
    manifest: entry.manifest,
  }));

  return {
    list: () => structuredClone(listing),
    get: (id) => entries.get(id),
    require(id) {
      const entry = entries.get(id);
      if (!entry) throw new Error(`agent ${JSON.stringify(id)} is not registered`);
      return entry;
    },
  };
}

/** ajv errors as the service's 422 issues, e.g. `{ path: 'prefs.tone', message: 'must be equal to …' }`. */
function toFieldIssues(errors: readonly ErrorObject[]): FieldIssue[] {
  return errors.slice(0, MAX_PREF_ISSUES).map((error) => {
    const segments = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
    // `required` and `additionalProperties` report the parent object; the field is in params.
    if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
    if (error.keyword === 'additionalProperties') {
      segments.push(String(error.params.additionalProperty));
      return { path: ['prefs', ...segments].join('.'), message: 'is not a known preference' };
    }
    return { path: ['prefs', ...segments].join('.'), message: error.message ?? 'is invalid' };
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
