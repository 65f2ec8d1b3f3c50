import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibrarian } from '../helpers/auth';
import { opdsValidator } from '../helpers/opds-schemas';
import { createTestStack, type TestStack } from '../helpers/stack';
import { epub, packageOpf, textPdf, xmpPacket } from '../domain/publication/builders';
import { publish, uploadFile } from './admin-content.helpers';

interface TitleBody {
  id: string;
  title: string;
  authors: string[];
  contributors?: { name: string; role: string }[];
  alternateTitles?: string[];
  alternateNames?: string[];
  readingProgression?: string;
  spineLength?: number;
}
interface PublicationBody {
  metadata: Record<string, unknown>;
}

let stack: TestStack;
let librarian: string;
const validate = opdsValidator();

/** Each publication has exactly the trait its test is about; all are published before the index is first read. */
const books = {
  translated: epub({
    'OEBPS/content.opf': packageOpf({
      metadata:
        '<dc:title>Bumi yang Berputar</dc:title><dc:language>id</dc:language>' +
        '<dc:creator id="a">Hana Kobayashi</dc:creator>' +
        '<meta refines="#a" property="role" scheme="marc:relators">aut</meta>' +
        '<dc:creator id="t">Ratna Sari</dc:creator>' +
        '<meta refines="#t" property="role" scheme="marc:relators">trl</meta>' +
        '<dc:contributor id="e">Agus Wibowo</dc:contributor>' +
        '<meta refines="#e" property="role" scheme="marc:relators">edt</meta>',
    }),
  }),
  epic: epub({
    'OEBPS/content.opf': packageOpf({
      metadata:
        '<dc:title id="t" xml:lang="hi">महाभारत</dc:title>' +
        '<meta refines="#t" property="alternate-script" xml:lang="en">Mahabharata</meta>' +
        '<dc:creator id="c">वेदव्यास</dc:creator>' +
        '<meta refines="#c" property="alternate-script" xml:lang="en">Vyasa</meta>' +
        '<dc:language>hi</dc:language>',
    }),
  }),
  rtl: epub({
    'OEBPS/content.opf': packageOpf({
      metadata: '<dc:title>كليلة ودمنة</dc:title><dc:language>ar</dc:language>',
      manifest:
        '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>' +
        '<item id="c2" href="chapter2.xhtml" media-type="application/xhtml+xml"/>',
      spine: '<itemref idref="c1"/><itemref idref="c2"/>',
      spineAttributes: ' page-progression-direction="rtl"',
    }),
    'OEBPS/chapter2.xhtml':
      '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>2</p></body></html>',
  }),
  xmpPdf: textPdf({
    lines: [{ text: 'Halaman pertama', size: 20 }],
    xmp: xmpPacket({ title: 'Sejarah Kota Nusantara', creators: ['Dinas Arsip'] }),
  }),
  barePdf: textPdf({
    lines: [
      { text: 'Dokumen 7', size: 8 },
      { text: 'Peta Jalan Literasi', size: 32 },
      { text: 'Disusun untuk sekolah dan komunitas.', size: 12 },
    ],
  }),
};
const names: Record<keyof typeof books, string> = {
  translated: 'bumi.epub',
  epic: 'epic.epub',
  rtl: 'kalila.epub',
  xmpPdf: 'scan-001.pdf',
  barePdf: 'scan-002.pdf',
};
let titles: Record<keyof typeof books, TitleBody>;

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
  const entries: [string, TitleBody][] = [];
  for (const [key, bytes] of Object.entries(books)) {
    entries.push([key, await published(names[key as keyof typeof books], bytes)]);
  }
  titles = Object.fromEntries(entries) as typeof titles;
}, 60_000);
afterAll(() => stack.destroy());

/** Through the librarian's real publishing pipeline: upload, inspection, catalogue. */
async function published(fileName: string, bytes: Uint8Array): Promise<TitleBody> {
  const { upload, complete } = await uploadFile(stack, librarian, fileName, bytes);
  expect(complete.status, await complete.clone().text()).toBe(200);
  const response = await publish(stack, librarian, { uploadId: upload.id, access: 'open' });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as TitleBody;
}

async function publicView(id: string): Promise<{ title: TitleBody; opds: PublicationBody }> {
  const [title, opds] = await Promise.all([
    stack.app.request(`/titles/${id}`),
    stack.app.request(`/opds/publications/${id}`),
  ]);
  expect(title.status).toBe(200);
  expect(opds.status).toBe(200);
  return { title: (await title.json()) as TitleBody, opds: (await opds.json()) as PublicationBody };
}

async function searchTitles(q: string): Promise<string[]> {
  const response = await stack.app.request(`/titles?q=${encodeURIComponent(q)}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: TitleBody[] }).data.map((t) => t.id);
}

describe('what a publication says about itself, as the catalogue shows it', () => {
  it('lists a translator and an editor as such, on the title and in OPDS, and finds the book by them', async () => {
    // Act
    const { id } = titles.translated;
    const { title, opds } = await publicView(id);
    const byTranslator = await searchTitles('Ratna Sari');
    // Assess
    expect(title.authors).toEqual(['Hana Kobayashi']);
    expect(title.contributors).toEqual([
      { name: 'Ratna Sari', role: 'translator' },
      { name: 'Agus Wibowo', role: 'editor' },
    ]);
    expect(opds.metadata).toMatchObject({
      author: ['Hana Kobayashi'],
      translator: ['Ratna Sari'],
      editor: ['Agus Wibowo'],
    });
    expect(validate('publication', opds)).toEqual([]);
    expect(byTranslator).toEqual([id]);
  });

  it('finds a Devanagari epic by its alternate-script title and its author by the Latin spelling', async () => {
    // Act
    const { id } = titles.epic;
    const { title } = await publicView(id);
    const byTitle = await searchTitles('Mahabharata');
    const byName = await searchTitles('vyasa');
    // Assess
    expect(title.title).toBe('महाभारत');
    expect(title.alternateTitles).toEqual(['Mahabharata']);
    expect(title.alternateNames).toEqual(['Vyasa']);
    expect(byTitle).toEqual([id]);
    expect(byName).toEqual([id]);
  });

  it('says an rtl book progresses right to left, with its spine length', async () => {
    // Act
    const { title, opds } = await publicView(titles.rtl.id);
    // Assess
    expect(title.readingProgression).toBe('rtl');
    expect(title.spineLength).toBe(2);
    expect(opds.metadata.readingProgression).toBe('rtl');
    expect(validate('publication', opds)).toEqual([]);
  });

  it('titles a PDF without an Info title by its XMP dc:title, and one with neither by its largest text', async () => {
    // Act
    const found = await searchTitles('literasi');
    // Assess
    expect(titles.xmpPdf.title).toBe('Sejarah Kota Nusantara');
    expect(titles.xmpPdf.authors).toEqual(['Dinas Arsip']);
    expect(titles.barePdf.title).toBe('Peta Jalan Literasi');
    expect(found).toEqual([titles.barePdf.id]);
  });
});
