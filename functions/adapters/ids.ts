import { randomUUID } from 'node:crypto';
import type { IdSource } from '../domain/ids';

/** New ids from the platform's cryptographic random UUIDs (version 4). */
export const randomIds: IdSource = { uuid: () => randomUUID() };
