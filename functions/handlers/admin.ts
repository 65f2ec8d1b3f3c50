import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../config';
import { createApp } from '../http/app';
import { createDeps } from './deps';

/** Librarian API (/admin/*) on Lambda: its own function, because only it may write content. */
export const handler = handle(createApp(createDeps(loadConfig()), { surface: 'librarian' }));
