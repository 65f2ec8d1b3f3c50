import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createLibrarian, createPatron, json, signIn } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import { expectProblem } from '../helpers/problem';

let stack: TestStack;
let librarian: string;
let librarianId: string;

beforeAll(async () => {
  stack = await createTestStack();
  const created = await createLibrarian(stack);
  librarian = created.accessToken;
  librarianId = created.patron.id;
});
afterAll(() => stack.destroy());

const csvRequest = (csv: string): RequestInit => ({
  method: 'POST',
  headers: bearer(librarian, { 'Content-Type': 'text/csv' }),
  body: csv,
});

interface AuditPage {
  data: {
    action: string;
    actor: string;
    targetType?: string;
    targetId?: string;
    outcome: string;
    details?: Record<string, unknown>;
  }[];
  cursor: string | null;
}

describe('patrons', () => {
  it('enrols a patron who can then sign in; the PIN never comes back', async () => {
    // Act
    const response = await stack.app.request(
      '/admin/patrons',
      json(
        'POST',
        { cardNumber: '30000001', name: 'Rina Kartika', email: 'rina@example.org', pin: '4321' },
        bearer(librarian),
      ),
    );
    // Assess
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      cardNumber: '30000001',
      name: 'Rina Kartika',
      status: 'active',
      roles: ['patron'],
    });
    expect(body).not.toHaveProperty('pinHash');
    expect((await signIn(stack.app, '30000001', '4321')).patron.name).toBe('Rina Kartika');
  });

  it('refuses a card number that is taken', async () => {
    const { patron } = await createPatron(stack);
    const response = await stack.app.request(
      '/admin/patrons',
      json('POST', { cardNumber: patron.cardNumber, name: 'Someone' }, bearer(librarian)),
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'CARD_NUMBER_TAKEN' });
  });

  it('finds patrons by card number and by the start of the name', async () => {
    // Prepare
    const { patron } = await createPatron(stack, { name: 'Wulan Sari' });
    await createPatron(stack, { name: 'Wulandari Putri' });
    // Act
    const byCard = await stack.app.request(`/admin/patrons?card=${patron.cardNumber}`, {
      headers: bearer(librarian),
    });
    const byName = await stack.app.request('/admin/patrons?name=wulan', { headers: bearer(librarian) });
    // Assess
    expect(((await byCard.json()) as { data: { id: string }[] }).data.map((p) => p.id)).toEqual([patron.id]);
    const names = ((await byName.json()) as { data: { name: string }[] }).data.map((p) => p.name);
    expect(names).toEqual(['Wulan Sari', 'Wulandari Putri']);
  });

  it('blocks and unblocks a patron, resets the PIN and sets limits and roles', async () => {
    // Prepare
    const { patron } = await createPatron(stack, { pin: '1111' });
    const patch = (body: unknown) =>
      stack.app.request(`/admin/patrons/${patron.id}`, json('PATCH', body, bearer(librarian)));

    // Act / Assess: block
    expect(await (await patch({ status: 'blocked' })).json()).toMatchObject({ status: 'blocked' });
    const blocked = await stack.app.request(
      '/auth/login',
      json('POST', { cardNumber: patron.cardNumber, pin: '1111' }),
    );
    expect(blocked.status).toBeGreaterThanOrEqual(400);
    // unblock, new PIN, limits, roles
    const changed = await patch({
      status: 'active',
      pin: '2222',
      loanLimit: 3,
      holdLimit: 1,
      roles: ['librarian'],
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      status: 'active',
      loanLimit: 3,
      holdLimit: 1,
      roles: ['patron', 'librarian'],
    });
    expect((await signIn(stack.app, patron.cardNumber, '2222')).patron.id).toBe(patron.id);
    // the trail names the actions, never the PIN
    const trail = await stack.app.request(`/admin/audit?targetType=patron&targetId=${patron.id}`, {
      headers: bearer(librarian),
    });
    const entries = ((await trail.json()) as AuditPage).data;
    expect(entries.map((e) => e.action)).toEqual(['patron.unblock', 'patron.block']);
    expect(entries[0]!.details).toMatchObject({ pinReset: true, loanLimit: 3 });
    expect(JSON.stringify(entries)).not.toContain('2222');
  });

  it('answers an unknown patron with 404 and an empty change with 400', async () => {
    const unknown = await stack.app.request(
      '/admin/patrons/p-nope',
      json('PATCH', { status: 'blocked' }, bearer(librarian)),
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'PATRON_NOT_FOUND' });
    const empty = await stack.app.request('/admin/patrons/p-nope', json('PATCH', {}, bearer(librarian)));
    expect(empty.status).toBe(400);
  });
});

describe('CSV import', () => {
  it('reports bad rows (duplicate card, missing name, bad email) and imports the rest', async () => {
    // Prepare
    const { patron: existing } = await createPatron(stack);
    const csv = [
      'cardNumber,name,email,pin,loanLimit',
      '40000001,Agus Salim,agus@example.org,1234,5',
      '40000002,"Hartono, Budi",,,',
      `${existing.cardNumber},Already There,,,`,
      '40000001,Agus Again,,,',
      '40000003,,nobody@example.org,,',
      '40000004,Citra Dewi,not-an-email,,',
      '40000005,Dedi,dedi@example.org,12,',
      '',
    ].join('\r\n');

    // Act
    const response = await stack.app.request('/admin/patrons/import', csvRequest(csv));

    // Assess
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      rows: number;
      imported: number;
      refused: number;
      results: { line: number; cardNumber: string; outcome: string; problems?: { code: string }[] }[];
    };
    expect(report).toMatchObject({ rows: 7, imported: 2, refused: 5 });
    const codes = Object.fromEntries(
      report.results.map((r) => [r.line, r.problems?.map((p) => p.code) ?? r.outcome]),
    );
    expect(codes).toEqual({
      2: 'imported',
      3: 'imported',
      4: ['DUPLICATE_CARD'],
      5: ['DUPLICATE_CARD'],
      6: ['MISSING_NAME'],
      7: ['BAD_EMAIL'],
      8: ['BAD_PIN'],
    });
    expect(await stack.deps.patrons.getByCard('40000002')).toMatchObject({ name: 'Hartono, Budi' });
    expect(await stack.deps.patrons.getByCard('40000001')).toMatchObject({
      name: 'Agus Salim',
      loanLimit: 5,
    });
    expect(await stack.deps.patrons.getByCard('40000003')).toBeUndefined();
    expect((await signIn(stack.app, '40000001', '1234')).patron.cardNumber).toBe('40000001');
  });

  it('reports physical lines and broken quoting as refused rows, with a BOM, CRLF and a quoted line break', async () => {
    // Prepare
    const csv = [
      '\uFEFFcardNumber,name,email,note',
      '41000001,Sari Wulandari,sari@example.org,"Jl. Merdeka 1',
      'Kota Nusantara"',
      '41000002,Budi Santoso,budi@,',
      '41000003,"Agus "Gus" Salim",,',
      '41000004,Toko"Buku Jaya,,',
      '41000005,"Dewi, Citra",,',
      '',
      '41000006,"Dedi Kurniawan,,',
      '41000007,Eka Putri,,',
      '41000008,Fajar Nugroho,,',
      '',
    ].join('\r\n');

    // Act
    const response = await stack.app.request('/admin/patrons/import', csvRequest(csv));

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      rows: 6,
      imported: 2,
      refused: 4,
      results: [
        { line: 2, cardNumber: '41000001', outcome: 'imported', patronId: expect.any(String) },
        {
          line: 4,
          cardNumber: '41000002',
          outcome: 'refused',
          problems: [{ field: 'email', code: 'BAD_EMAIL', message: 'This is not an e-mail address.' }],
        },
        {
          line: 5,
          cardNumber: '41000003',
          outcome: 'refused',
          problems: [
            {
              field: 'name',
              code: 'TEXT_AFTER_QUOTE',
              message:
                'The quoted value of "name" is followed by more text. A quote inside a quoted value is written ' +
                'twice: "Agus ""Gus"" Salim". This line was not read.',
            },
          ],
        },
        {
          line: 6,
          cardNumber: '41000004',
          outcome: 'refused',
          problems: [
            {
              field: 'name',
              code: 'STRAY_QUOTE',
              message:
                'The value of "name" has a quote but is not quoted. Put the whole value in quotes and write the ' +
                'quote twice: "Agus ""Gus"" Salim". This line was not read.',
            },
          ],
        },
        { line: 7, cardNumber: '41000005', outcome: 'imported', patronId: expect.any(String) },
        {
          line: 9,
          cardNumber: '41000006',
          outcome: 'refused',
          problems: [
            {
              field: 'name',
              code: 'UNCLOSED_QUOTE',
              message:
                'The quote that opens the value of "name" is never closed, so the rest of the file (lines 9–11) ' +
                'could not be read and none of it was imported. Close the quote, then import lines 9–11 again.',
            },
          ],
        },
      ],
    });
    expect(await stack.deps.patrons.getByCard('41000005')).toMatchObject({ name: 'Dewi, Citra' });
    expect(await stack.deps.patrons.getByCard('41000003')).toBeUndefined();
    expect(await stack.deps.patrons.getByCard('41000004')).toBeUndefined();
    expect(await stack.deps.patrons.getByCard('41000007')).toBeUndefined();
  });

  it('refuses a file whose header line cannot be read, naming what is wrong', async () => {
    const response = await stack.app.request(
      '/admin/patrons/import',
      csvRequest('cardNumber,"name"x\n41000010,Nobody\n'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('The first line, which names the columns, cannot be read'),
    });
    expect(await stack.deps.patrons.getByCard('41000010')).toBeUndefined();
  });

  it('accepts a body over the 16 KiB JSON limit, and refuses one without the header', async () => {
    // Prepare: ~40 KiB of rows without PINs (no hashing)
    const rows = Array.from(
      { length: 800 },
      (_, i) => `5${String(i).padStart(7, '0')},Pemustaka Nomor ${i} dari Kota Nusantara`,
    );
    const big = ['cardNumber,name', ...rows].join('\n');
    // Act
    const imported = await stack.app.request('/admin/patrons/import', csvRequest(big));
    const headless = await stack.app.request('/admin/patrons/import', csvRequest('40000009,Nobody\n'));
    // Assess
    expect(big.length).toBeGreaterThan(16 * 1024);
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ imported: 800, refused: 0 });
    expect(headless.status).toBe(400);
    expect(await headless.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps the 16 KiB limit on every other route', async () => {
    const response = await stack.app.request(
      '/admin/patrons',
      json('POST', { cardNumber: '4000', name: 'x'.repeat(20_000) }, bearer(librarian)),
    );
    await expectProblem(response, 413, 'BODY_TOO_LARGE');
  });
});

describe('audit trail', () => {
  it('records who did what to which target, refusals included, newest first, with filters and a cursor', async () => {
    // Prepare: a few actions by a second librarian
    const other = await createLibrarian(stack);
    for (let i = 0; i < 3; i++) {
      await stack.app.request(
        '/admin/patrons',
        json('POST', { cardNumber: `6000000${i}`, name: `Audit ${i}` }, bearer(other.accessToken)),
      );
    }
    await stack.app.request(
      '/admin/patrons',
      json('POST', { cardNumber: '60000000', name: 'Dup' }, bearer(other.accessToken)),
    );

    // Act
    const first = await stack.app.request(`/admin/audit?actor=${other.patron.id}&limit=2`, {
      headers: bearer(librarian),
    });
    const firstPage = (await first.json()) as AuditPage;
    const second = await stack.app.request(
      `/admin/audit?actor=${other.patron.id}&limit=2&cursor=${firstPage.cursor}`,
      {
        headers: bearer(librarian),
      },
    );
    const secondPage = (await second.json()) as AuditPage;
    const refusedOnly = await stack.app.request(`/admin/audit?action=patron.enrol&actor=${other.patron.id}`, {
      headers: bearer(librarian),
    });

    // Assess
    expect(first.status).toBe(200);
    const entries = [...firstPage.data, ...secondPage.data];
    expect(entries).toHaveLength(4);
    expect(secondPage.cursor).toBeNull();
    expect(entries.every((e) => e.actor === other.patron.id && e.action === 'patron.enrol')).toBe(true);
    expect(entries[0]).toMatchObject({ outcome: 'refused', status: 409, code: 'CARD_NUMBER_TAKEN' });
    expect(entries.slice(1).map((e) => e.details?.cardNumber)).toEqual(['60000002', '60000001', '60000000']);
    expect(((await refusedOnly.json()) as AuditPage).data).toHaveLength(4);
    // the librarian's own earlier actions are not in another actor's trail
    expect(entries.some((e) => e.actor === librarianId)).toBe(false);
  });

  it('refuses a cursor it did not issue, and a targetId without targetType', async () => {
    const bad = await stack.app.request('/admin/audit?cursor=abc', { headers: bearer(librarian) });
    const noType = await stack.app.request('/admin/audit?targetId=x', { headers: bearer(librarian) });
    await expectProblem(bad, 400, 'VALIDATION_FAILED');
    await expectProblem(noType, 400, 'VALIDATION_FAILED');
  });

  it('filters by time', async () => {
    const future = await stack.app.request('/admin/audit?from=2999-01-01T00:00:00Z', {
      headers: bearer(librarian),
    });
    expect(((await future.json()) as AuditPage).data).toEqual([]);
  });
});
