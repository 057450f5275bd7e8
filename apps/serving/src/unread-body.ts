import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A `request` listener of the HTTP server: a GET or HEAD that carries a body gets `Connection:
 * close`, so its connection ends with the response. @hono/node-server bounds the unread body of
 * other methods (it drains it for at most 500 ms, then closes), but leaves GET and HEAD to Node,
 * which reads such a body to its end on a keep-alive connection, however long: a 2 GiB body sent to
 * GET /health was read, and thrown away, for as long as it kept coming (until the 30 s request
 * time-out). No route reads a GET body, so nothing of value is lost.
 */
export function closeAfterGetWithBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return;
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return;
  res.setHeader('connection', 'close');
}
