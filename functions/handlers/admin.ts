import { handle } from 'hono/aws-lambda';
import { createAwsClients } from '../adapters/aws-clients';
import { loadConfig } from '../config';
import { createLibrarianApp } from '../http/librarian-api';
import { createDeps } from './api-composition';
import { createPublishing } from './publishing';

/** Librarian API (/admin/*) on Lambda: its own function, because only it may write content. */
const config = loadConfig(process.env, 'librarianApi');
const clients = createAwsClients(config);
const deps = {
  ...createDeps(config, clients),
  publishing: createPublishing(clients.s3, config.CONTENT_BUCKET),
};
export const handler = handle(createLibrarianApp(deps));
