import { describe, expect, it } from 'vitest';
import { progressFromProgression, progressionOf } from '../../functions/domain/opds';

/** OPDS Progression documents and the stored reading position, both ways. */
describe('OPDS Progression ↔ stored position', () => {
  const pdf = { id: 't-1', format: 'pdf', pageCount: 200, contentType: 'application/pdf' } as const;
  const epub = { id: 't-2', format: 'epub', contentType: 'application/epub+zip' } as const;
  const device = { id: 'urn:uuid:1', name: 'Thorium' };

  it('takes a PDF page from #page=N, else from the progression and the page count', () => {
    const byRef = progressFromProgression(
      { modified: '2026-01-28T19:00:00+07:00', device, progression: 0.9, references: ['#page=17'] },
      pdf,
      undefined,
    );
    expect(byRef.locator.locations).toMatchObject({ page: 17, totalProgression: 0.9 });
    expect(byRef.modified).toBe('2026-01-28T12:00:00.000Z');
    const byProgression = progressFromProgression(
      { modified: '2026-01-28T19:00:00Z', device, progression: 0.5 },
      pdf,
      undefined,
    );
    expect(byProgression.locator.locations.page).toBe(100);
    // The web reader's page N is N / pages: an app that sends it back lands on the same page.
    const webPage = { modified: '2026-01-28T19:00:00Z', device, progression: 51 / 200 };
    expect(progressFromProgression(webPage, pdf, undefined).locator.locations.page).toBe(51);
    const atStart = { modified: '2026-01-28T19:00:00Z', device, progression: 0 };
    expect(progressFromProgression(atStart, pdf, undefined).locator.locations.page).toBe(1);
    const atEnd = progressFromProgression(
      { modified: '2026-01-28T19:00:00Z', device, progression: 1 },
      pdf,
      undefined,
    );
    expect(atEnd.locator.locations.page).toBe(200);
  });

  it('keeps an EPUB resource without its fragment, and the stored resource when the app names none', () => {
    const stored = progressFromProgression(
      { modified: '2026-01-28T19:00:00Z', device, progression: 0.2, references: ['OEBPS/ch3.xhtml#p4'] },
      epub,
      undefined,
    );
    expect(stored.locator.href).toBe('OEBPS/ch3.xhtml');
    const next = progressFromProgression(
      { modified: '2026-01-28T20:00:00Z', device, progression: 0.3 },
      epub,
      stored,
    );
    expect(next.locator).toMatchObject({ href: 'OEBPS/ch3.xhtml', locations: { totalProgression: 0.3 } });
  });

  it('answers a web reader save with its whole-book progression and page, and a device even when none was saved', () => {
    const doc = progressionOf(
      {
        titleId: 't-1',
        modified: '2026-01-28T19:00:00.000Z',
        locator: { href: '/titles/t-1/publication.pdf', type: 'application/pdf', locations: { page: 51 } },
      },
      pdf,
    );
    expect(doc).toEqual({
      modified: '2026-01-28T19:00:00.000Z',
      device: { id: 'urn:pustaka:web-reader', name: 'Pustaka web reader' },
      progression: 0.255,
      references: ['#page=51'],
    });
  });
});
