import { z } from 'zod';

type SchemaMeta = z.GlobalMeta & { id: string; description: string };

/**
 * Frees `meta.id` in zod's global registry, then returns `meta` for `.meta()`.
 *
 * zod keeps one registry per process (on globalThis, shared by its ESM and CJS builds) and throws
 * when an id is registered twice. That happens whenever this package is evaluated twice in one
 * process: its ESM and CJS builds both loaded, two versions installed side by side, or a test
 * runner re-importing modules. The newest copy takes the id (it is the one being wired up); the
 * older copy keeps its schemas and descriptions, only without the id, so nothing breaks at import.
 */
export function claimId<M extends SchemaMeta>(meta: M): M {
  const registry = z.globalRegistry;
  const holder = registry._idmap.get(meta.id);
  if (holder !== undefined) {
    const { id: _released, ...kept } = registry.get(holder) ?? {};
    registry.remove(holder);
    registry.add(holder, kept);
  }
  return meta;
}
