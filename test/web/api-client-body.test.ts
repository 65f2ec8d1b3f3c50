import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../web/src/api/client';

/** How the client sends a body: JSON by default; a Blob (the console's CSV import) as it is, with its type. */
describe('API client request bodies', () => {
  const recording = () => {
    const sent: { type: string | null; body: unknown }[] = [];
    const fetcher: typeof fetch = async (_input, init) => {
      sent.push({ type: new Headers(init?.headers).get('Content-Type'), body: init?.body });
      return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    return { sent, client: new ApiClient({ fetch: fetcher }) };
  };

  it('sends a Blob untouched with its own content type', async () => {
    // Prepare
    const { sent, client } = recording();
    const csv = new Blob(['cardNumber,name\n30000001,Rina\n'], { type: 'text/csv' });
    // Act
    await client.request('POST', '/admin/patrons/import', { body: csv, auth: false });
    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]!.type).toBe('text/csv');
    expect(sent[0]!.body).toBe(csv);
  });

  it('sends anything else as JSON', async () => {
    // Prepare
    const { sent, client } = recording();
    // Act
    await client.request('PATCH', '/admin/patrons/p-1', { body: { pin: '4321' }, auth: false });
    // Assess
    expect(sent[0]).toEqual({ type: 'application/json', body: '{"pin":"4321"}' });
  });
});
