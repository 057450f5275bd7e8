/**
 * The one value registered under `name` in this process, created on first use. Every copy of a
 * module (the ESM and the CJS build, two installed versions) that asks for `name` gets the same.
 */
export function processWide<T>(name: string, create: () => T): T {
  const registry = globalThis as { [key: symbol]: unknown };
  const key = Symbol.for(name);
  if (!(key in registry)) registry[key] = create();
  return registry[key] as T;
}
