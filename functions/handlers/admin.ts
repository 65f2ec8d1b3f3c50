/**
 * Placeholder librarian API entry point (`/admin/*`) so the CDK stack can bundle on the `cdk` branch.
 * The real handler is written in main and replaces this file on merge.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const app = new Hono();
app.all('/admin/*', (c) => c.json({ code: 'NOT_IMPLEMENTED' }, 501));

export const handler = handle(app);
