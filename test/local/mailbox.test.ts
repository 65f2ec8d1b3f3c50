import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway, type LocalGateway } from '../../functions/local/gateway';
import { demoAccounts } from '../../functions/local/seed';

/**
 * `npm start`'s mail: the in-process SMTP server stands in for SES, the notifier sends on its timer, and
 * /dev/mail shows what arrived. The demo patrons' addresses are confirmed by the seed.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-mail-'));
let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startLocalGateway({
    env: { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'WARN', NOTIFY_INTERVAL_SECONDS: '1' },
    fixturesDir: join(dataDir, 'no-fixtures'),
  });
}, 180_000);
afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local mailbox', () => {
  it('gives the demo patrons confirmed addresses and shows the mails the library sent at /dev/mail', async () => {
    // Prepare
    const demo = demoAccounts.find((a) => a.roles.length === 1)!;
    const login = await fetch(`${gateway.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ cardNumber: demo.cardNumber, pin: demo.pin }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { Authorization: `Bearer ${accessToken}` };
    const settings = await (await fetch(`${gateway.url}/me/notification-settings`, { headers: auth })).json();
    // Act: a new address: its confirmation mail goes out on the notifier's next tick
    await fetch(`${gateway.url}/me/email`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'demo.new@example.org' }),
    });
    const [mail] = await gateway.mail.waitFor(1);
    const asJson = await fetch(`${gateway.url}/dev/mail`, { headers: { Accept: 'application/json' } });
    const asHtml = await fetch(`${gateway.url}/dev/mail`);
    const page = await asHtml.text();
    // Assess
    expect(settings).toMatchObject({ email: demo.email });
    expect(settings.emailVerifiedAt).toBeDefined();
    expect(mail!.to).toEqual(['demo.new@example.org']);
    const body = (await asJson.json()) as { data: { subject: string; to: string[]; text: string }[] };
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({
      subject: 'Konfirmasi alamat e-mail Anda',
      to: ['demo.new@example.org'],
    });
    expect(body.data[0]!.text).toContain(`${gateway.url}/notifications/verify-email?token=`);
    expect(asHtml.headers.get('content-type')).toContain('text/html');
    expect(page).toContain('Konfirmasi alamat e-mail Anda');
    expect(page).toContain(`<a href="${gateway.url}/notifications/verify-email?token=`);
  }, 20_000);
});
