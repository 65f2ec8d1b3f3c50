import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClients } from '../../functions/adapters/dynamo-clients';
import { DynamoLendingRepository } from '../../functions/adapters/lending-repository';
import { lambdaFunctions, type LambdaFunctionName } from '../../functions/config-variables';
import { ApiFunctions } from '../../infra/constructs/api-functions.js';
import { ContentBucket } from '../../infra/constructs/content-bucket.js';
import { LibraryTable } from '../../infra/constructs/library-table.js';
import { handlerEntry, repoRoot } from '../../infra/constructs/paths.js';
import { PseudonymSecret } from '../../infra/constructs/pseudonym-secret.js';
import { SigningKeys } from '../../infra/constructs/signing-keys.js';
import { Sweeper } from '../../infra/constructs/sweeper.js';
import { addLicence, addPatron, addTitle, FakeClock, hour } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { actionsOf, constructStack, roleStatements } from './helpers.js';

/**
 * The DynamoDB actions granted to each function against the code it runs: a grant may not name an action no
 * code in its bundle sends, and every action the code sends must be granted to some function. IAM authorises
 * TransactWriteItems part by part (PutItem, UpdateItem, DeleteItem, ConditionCheckItem).
 */

const entries = {
  patronApi: 'api',
  partnerApi: 'partner',
  librarianApi: 'admin',
  sweeper: 'sweeper',
} as const satisfies Record<LambdaFunctionName, 'api' | 'partner' | 'admin' | 'sweeper'>;

/** Operation (low-level command name without `Command`) → IAM action; a transaction is counted by its parts. */
const operationActions: Record<string, string | 'parts'> = {
  GetItem: 'dynamodb:GetItem',
  PutItem: 'dynamodb:PutItem',
  UpdateItem: 'dynamodb:UpdateItem',
  DeleteItem: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchGetItem: 'dynamodb:BatchGetItem',
  BatchWriteItem: 'dynamodb:BatchWriteItem',
  TransactGetItems: 'dynamodb:GetItem',
  TransactWriteItems: 'parts',
  DescribeTable: 'dynamodb:DescribeTable',
  CreateTable: 'dynamodb:CreateTable',
  UpdateTimeToLive: 'dynamodb:UpdateTimeToLive',
};
/** The document client's command names for the same operations. */
const documentCommands: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};
const partActions: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function actionOf(operation: string): string | 'parts' {
  const action = operationActions[documentCommands[operation] ?? operation];
  if (!action) throw new Error(`no IAM action known for the DynamoDB operation ${operation}: add it here`);
  return action;
}

/** The DynamoDB actions the sources of one handler's bundle can send (every module it imports, read whole). */
async function actionsInBundle(fn: LambdaFunctionName): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [handlerEntry(entries[fn])],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const actions = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const source = readFileSync(path.join(repoRoot, input), 'utf8');
    if (!/from '@aws-sdk\/(lib-dynamodb|client-dynamodb)'/.test(source)) continue;
    for (const [, operation] of source.matchAll(/new (\w+)Command\(/g)) {
      const action = actionOf(operation!);
      if (action !== 'parts') actions.add(action);
    }
    // Transaction parts are built anywhere a module talks to DynamoDB, not only beside the command.
    for (const [, part] of source.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g))
      actions.add(partActions[part!]!);
  }
  return actions;
}

/** The DynamoDB actions in each function's role, as synthesised. */
function grantedActions(): Record<LambdaFunctionName, string[]> {
  const stack = constructStack();
  const table = new LibraryTable(stack, 'Library');
  const content = new ContentBucket(stack, 'Content', { accessLogs: new Bucket(stack, 'Logs') });
  new ApiFunctions(stack, 'Api', {
    table,
    content,
    signingKeys: new SigningKeys(stack, 'SigningKeys'),
    pseudonymSecret: new PseudonymSecret(stack, 'PseudonymSecret'),
    webOrigin: 'https://reader.example',
    tokenIssuer: 'https://api.example',
    publicApiUrl: 'https://api.example',
  });
  new Sweeper(stack, 'Sweeper', { table, content });
  const template = Template.fromStack(stack);
  const dynamo = (role: string) =>
    roleStatements(template, role)
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('dynamodb:'))
      .sort();
  return {
    patronApi: dynamo('ApiPatronApiRole'),
    partnerApi: dynamo('ApiPartnerApiRole'),
    librarianApi: dynamo('ApiLibrarianApiRole'),
    sweeper: dynamo('SweeperRole'),
  };
}

describe('DynamoDB grants against the code', () => {
  it.each(lambdaFunctions)('grants the %s function no action its code never sends', async (fn) => {
    // Prepare
    const granted = grantedActions()[fn];
    // Act
    const sent = await actionsInBundle(fn);
    // Assess
    expect(granted.filter((action) => !sent.has(action))).toEqual([]);
    expect(granted).not.toContain('dynamodb:BatchWriteItem');
  });

  it('grants every action the code sends; a function lacks one only where its routes never reach that code', async () => {
    // Prepare
    const granted = grantedActions();
    // Act
    const sent = await Promise.all(
      lambdaFunctions.map(async (fn) => [fn, await actionsInBundle(fn)] as const),
    );
    // Assess
    const ungranted = sent.flatMap(([fn, actions]) =>
      [...actions].filter((action) => !granted[fn].includes(action)).map((action) => `${fn} ${action}`),
    );
    expect(new Set(Object.values(granted).flat())).toEqual(
      new Set(sent.flatMap(([, actions]) => [...actions])),
    );
    expect(ungranted).toEqual([
      // The partner and librarian APIs build the same deps as the patron API, /health probe included, but
      // serve no /health (functions/http/patron-api.ts mounts it on the patron surface only).
      'partnerApi dynamodb:DescribeTable',
      'librarianApi dynamodb:DescribeTable',
      // The sweeper's title repository can read titles by key (BatchGetItem), but only the APIs' catalogue
      // index holder asks it to (the titles changed since the snapshot); the sweeper builds from the listing.
      'sweeper dynamodb:BatchGetItem',
    ]);
  });
});

describe('the sweeper on DynamoDB Local', () => {
  const clock = new FakeClock();
  let stack: TestStack;
  beforeAll(async () => {
    stack = await createTestStack({ deps: { clock } });
  });
  afterAll(() => stack.destroy());

  it('sends only actions its role has while ending a loan, reserving the copy for the next in line and lapsing that reservation', async () => {
    // Prepare: the sweeper's own repository over a client that records every action it sends
    const clients = createDynamoClients(stack.config);
    const sent = new Set<string>();
    clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        const action = actionOf(operation);
        if (action !== 'parts') sent.add(action);
        else {
          const items = (args.input as { TransactItems: Record<string, unknown>[] }).TransactItems;
          for (const item of items) for (const part of Object.keys(item)) sent.add(partActions[part]!);
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordActions' },
    );
    const sweeper = new DynamoLendingRepository(clients.documents, stack.config.TABLE_NAME, clock);
    await sweeper.sweep(); // the watermark at the clock's start
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = await Promise.all([addPatron(stack), addPatron(stack)]);
    await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id, days: 7 });
    const hold = await stack.deps.lending.placeHold({ patronId: b.id, titleId: title.id });
    // Act
    clock.advance(7 * 24 * hour + 1);
    const ended = await sweeper.sweep();
    const reserved = await stack.deps.lending.holdsOf(b.id);
    clock.advance(72 * hour + 1);
    const lapsed = await sweeper.sweep();
    // Assess
    expect(ended.loansExpired).toBe(1);
    expect(reserved).toEqual([expect.objectContaining({ id: hold.id, status: 'reserved' })]);
    expect(lapsed.reservationsLapsed).toBe(1);
    const granted = grantedActions().sweeper;
    expect([...sent].filter((action) => !granted.includes(action))).toEqual([]);
    expect([...sent].sort()).toEqual(
      expect.arrayContaining([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]),
    );
    clients.dynamo.destroy();
  });
});
