import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { createApp } from '../http/app';
import { createDeps } from './api-composition';

/** Patron API on Lambda: config and clients built once per cold start. */
export const handler = handle(
  createApp(createDeps(loadConfig(process.env, 'patronApi')), { surface: 'patron' }),
);
