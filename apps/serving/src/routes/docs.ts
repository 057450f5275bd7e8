import type { OpenAPIHono } from '@hono/zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };
import { DOCS_CSP, DOCS_HTML, DOCS_INIT_JS } from '../docs/docs-page.js';
import { createSwaggerAssets, isSwaggerFile, SWAGGER_FILES } from '../docs/swagger-assets.js';
import { RouteNotFoundError } from '../errors.js';

const DESCRIPTION = [
  'Online contextual-bandit scoring for oo: LinUCB (linucb-v1) and ε-greedy (egreedy-v1, egreedy-v2),',
  'one ridge model per user and policy, learned online from rewards; LLM tips through the',
  'tip-generator agent, whose manifest (like every agent’s) is served by GET /agents/registry.',
  '',
  'Every error is `{ "error": { "code", "message", "details"? } }`; the codes and their statuses are',
  "@oo/contracts' ERROR_CODES.",
].join('\n');

/** GET /openapi.json (OpenAPI 3.1, generated from the @oo/contracts schemas) and the /docs page. */
export function registerDocsRoutes(app: OpenAPIHono): void {
  let document: unknown;
  const openapi = () => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'oo bandit serving', version: packageJson.version, description: DESCRIPTION },
      tags: [
        { name: 'scoring', description: 'Decisions and rewards, one endpoint triple per policy.' },
        { name: 'stats', description: 'Per-user model figures and the decision log.' },
        { name: 'agents', description: 'The agent registry and LLM tip generation.' },
        { name: 'admin', description: 'Bearer-token protected operations.' },
        { name: 'operations', description: 'Health and metrics.' },
      ],
    });
    return document;
  };
  const asset = createSwaggerAssets();

  app.get('/openapi.json', (c) => c.json(openapi() as object));
  app.get('/docs', (c) => c.html(DOCS_HTML, 200, { 'content-security-policy': DOCS_CSP }));
  app.get('/docs/assets/docs-init.js', (c) =>
    c.body(DOCS_INIT_JS, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  app.get('/docs/assets/:file', async (c) => {
    const name = c.req.param('file');
    if (!isSwaggerFile(name)) throw new RouteNotFoundError(c.req.method, c.req.path);
    const content = await asset(name);
    return c.body(new Uint8Array(content), 200, {
      'content-type': SWAGGER_FILES[name],
      'cache-control': 'public, max-age=86400',
    });
  });
}
