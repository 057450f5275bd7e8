import { request as httpRequest } from 'node:http';

/**
 * Test replies are asserted field by field against literal expectations; a loose body type keeps
 * those assertions readable without a cast per line.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; test helpers only
type Loose = any;

export interface JsonReply<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON, for tests. Non-JSON bodies come back as text. */
export async function call<T = Loose>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(path, base), init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: (type.includes('json') ? JSON.parse(text) : text) as T,
  };
}

export const post = <T = Loose>(
  base: string,
  path: string,
  body: unknown,
  headers?: Record<string, string>,
) => call<T>(base, 'POST', path, body, headers);

export const get = <T = Loose>(base: string, path: string, headers?: Record<string, string>) =>
  call<T>(base, 'GET', path, undefined, headers);

/**
 * A request whose path goes on the wire byte for byte (fetch would normalise `..` and friends),
 * for hostile-path tests.
 */
export function rawRequest(
  base: string,
  method: string,
  rawPath: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
