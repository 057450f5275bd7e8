import type { Hono } from 'hono';

export interface RouteTable {
  /** Methods that some route accepts for `path`; empty when no route matches it at all. */
  allowedMethods(path: string): string[];
}

function patternToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Lets the not-found handler tell "no such route" from "wrong method" (answered with an `Allow`
 * header). Built lazily from the routes registered on `app`, after every route exists.
 */
export function createRouteTable(app: Pick<Hono, 'routes'>): RouteTable {
  let compiled: { method: string; regexp: RegExp }[] | undefined;
  return {
    allowedMethods(path) {
      compiled ??= app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => ({ method: route.method, regexp: patternToRegExp(route.path) }));
      const methods = new Set<string>();
      for (const route of compiled) if (route.regexp.test(path)) methods.add(route.method);
      if (methods.has('GET')) methods.add('HEAD');
      return [...methods].sort();
    },
  };
}
