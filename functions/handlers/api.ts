import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { createPatronApp } from '../http/patron-api';
import { createDeps } from './api-composition';

/** Patron API on Lambda: config and clients built once per cold start. */
export const handler = handle(createPatronApp(createDeps(loadConfig(process.env, 'patronApi'))));
