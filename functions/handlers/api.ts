/**
 * Placeholder patron API entry point so the CDK stack can bundle on the `cdk` branch.
 * The real handler (handle(createApp(awsDeps()))) is written in main and replaces this file on merge.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

export const handler = handle(app);
