import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AdminAuthError } from '../errors.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`. Both sides are hashed to fixed-length SHA-256 digests
 * before `timingSafeEqual`, so neither the token's content nor its length leaks through timing.
 * No token configured: every request is refused (403), whatever it carries. The token is never
 * logged (and the logger redacts `authorization` besides).
 */
export function adminAuth(adminToken: string | undefined): MiddlewareHandler {
  const expected = adminToken ? digest(adminToken) : null;
  return async (c, next) => {
    if (expected === null) throw new AdminAuthError('admin_disabled');
    const header = c.req.header('authorization');
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match) throw new AdminAuthError('missing_token');
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new AdminAuthError('invalid_token');
    await next();
  };
}
