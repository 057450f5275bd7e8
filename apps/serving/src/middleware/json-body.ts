import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';

// RFC 8259 §11 plus structured-syntax suffixes (RFC 6839 §3.1), parameters allowed.
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';', 1)[0]!.trim();
  return JSON_MEDIA_TYPE.test(essence);
}

/**
 * Guards every route that takes a JSON body, in this order: a non-JSON content type is 415; a
 * declared Content-Length over the limit is 413 before a byte is read; a chunked body is counted
 * while streaming and cut off at the limit (413); what arrived must parse as JSON (400). The
 * parsed body is cached by Hono, so the route's validator does not read it again.
 *
 * A body with a Content-Length is exactly that long (Node's parser reads no more, and refuses a
 * request that also declares a transfer coding), so the declared length is the whole check and the
 * body is read by @hono/node-server's direct path. Only a chunked body goes through `bodyLimit`,
 * whose stream wrapping builds a full web `Request` first, which cost more than the rest of the
 * middleware chain (docs/adr/0018).
 */
export function jsonBody(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
  const parse = async (c: Parameters<MiddlewareHandler>[0], next: () => Promise<void>) => {
    try {
      await c.req.json();
    } catch {
      throw new MalformedJsonError();
    }
    await next();
  };
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (!isJsonContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
    const declared = c.req.header('content-length');
    if (declared === undefined) return limit(c, () => parse(c, next));
    if (Number(declared) > maxBytes) throw new PayloadTooLargeError(maxBytes);
    return parse(c, next);
  };
}
