import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createRouteTable } from './route-table.js';

describe('createRouteTable', () => {
  const app = new Hono();
  app.use('*', async (_c, next) => next());
  app.post('/score/egreedy', (c) => c.text('x'));
  app.get('/stats/:user_id', (c) => c.text('x'));
  app.get('/stats/egreedy/:user_id', (c) => c.text('x'));
  app.get('/docs/assets/*', (c) => c.text('x'));
  const table = createRouteTable(app);

  it('lists the methods of every route matching a path; GET implies HEAD', () => {
    expect(table.allowedMethods('/score/egreedy')).toEqual(['POST']);
    expect(table.allowedMethods('/stats/a.b')).toEqual(['GET', 'HEAD']);
    expect(table.allowedMethods('/docs/assets/x/y.js')).toEqual(['GET', 'HEAD']);
  });

  it('matches parameters within one segment only, and literals literally', () => {
    expect(table.allowedMethods('/stats/a/b/c')).toEqual([]);
    expect(table.allowedMethods('/score/egreedyX')).toEqual([]);
    expect(table.allowedMethods('/nothing')).toEqual([]);
  });
});
