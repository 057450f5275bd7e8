import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The swagger-ui-dist files the reference page needs, served by the service itself (no CDN). */
export const SWAGGER_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;
export type SwaggerFile = keyof typeof SWAGGER_FILES;

export function isSwaggerFile(name: string): name is SwaggerFile {
  return Object.hasOwn(SWAGGER_FILES, name);
}

/**
 * Reads a swagger-ui-dist file once and keeps it. The package is located through Node's resolver
 * relative to this module, which works both from src/ and from the bundled dist/main.js of a
 * `pnpm deploy` directory.
 */
export function createSwaggerAssets(): (name: SwaggerFile) => Promise<Buffer> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<SwaggerFile, Promise<Buffer>>();
  return (name) => {
    let content = cache.get(name);
    if (!content) {
      content = readFile(join(dir, name));
      // A failed read is not cached: the next request retries.
      content.catch(() => cache.delete(name));
      cache.set(name, content);
    }
    return content;
  };
}
