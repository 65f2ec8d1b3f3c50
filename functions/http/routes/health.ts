import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { AppEnv } from '../deps';

const HealthSchema = doc(
  z.object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.enum(['up', 'down'])),
    down: z.array(z.string()),
  }),
  { id: 'Health' },
);

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Whether the gateway and what it depends on answer',
  responses: {
    200: { description: 'Everything answers', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Something is down', content: { 'application/json': { schema: HealthSchema } } },
  },
});

export function healthRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(health, async (c) => {
    const { checks, logger } = c.get('deps');
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
          return [name, 'up'] as const;
        } catch (error) {
          logger.warn('dependency down', {
            dependency: name,
            error: error instanceof Error ? error.message : String(error),
          });
          return [name, 'down'] as const;
        }
      }),
    );
    const down = results.filter(([, state]) => state === 'down').map(([name]) => name);
    const body = {
      status: down.length ? ('unavailable' as const) : ('ok' as const),
      checks: Object.fromEntries(results),
      down,
    };
    c.header('Cache-Control', 'no-store');
    return down.length ? c.json(body, 503) : c.json(body, 200);
  });
}
