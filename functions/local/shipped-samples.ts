import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, zlibSync } from 'fflate';

import { indonesianBooks, type SampleBook } from './sample-books';

/**
 * The books the project ships, seeded on every first start next to ../shared/fixtures (or alone without them):
 * a bilingual EPUB 3 and PDF, and the Indonesian books of sample-books.ts, built from text written for this
 * project (free to use) into EPUB 3 files with a cover. The bytes are the same on every build (fixed zip times,
 * covers painted in code), so a title's id, which derives from them, stays put from one start to the next.
 */
const bilingual: SampleBook = {
  fileName: 'perpustakaan-tidak-pernah-tidur.epub',
  identifier: 'urn:uuid:7b0e3c52-5a8e-4c39-9d1b-2f6f2f0c9a11',
  title: 'Perpustakaan yang Tidak Pernah Tidur',
  language: 'id',
  creators: [{ name: 'Tim Pustaka', role: 'aut' }],
  subjects: ['Perpustakaan'],
  description: 'A short bilingual sample book shipped with Pustaka.',
  palette: { sky: [20, 24, 60], disc: [250, 236, 180], ground: [90, 60, 120] },
  chapters: [
    {
      id: 'ch1',
      title: 'Perpustakaan yang Tidak Pernah Tidur',
      paragraphs: [
        'Di Kota Nusantara ada perpustakaan yang tidak pernah menutup pintunya. Lampunya tetap menyala di layar ponsel para pembaca, pagi, siang dan malam.',
        'Siapa pun yang memegang kartu anggota boleh meminjam buku, membacanya di peramban, dan mengembalikannya kapan saja sebelum masa pinjam habis.',
      ],
    },
    {
      id: 'ch2',
      title: 'The Library That Never Sleeps',
      paragraphs: [
        'In Kota Nusantara there is a library that never closes its doors. Its lights stay on in the screens of its readers, morning, noon and night.',
        'Anyone holding a library card may borrow a book, read it in the browser, and return it whenever they like before the loan ends.',
      ],
    },
  ],
};
const chapters = bilingual.chapters;

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Local date parts: a zip stores DOS times in local time, so this is the same stamp in every time zone. */
const zipTime = new Date(2026, 0, 1, 0, 0, 0);

/** An EPUB 3 (OCF zip, package document, navigation, one XHTML file per chapter, a PNG cover) of a book. */
export function buildSampleEpub(book: SampleBook): Uint8Array {
  const chapterFiles = Object.fromEntries(
    book.chapters.map((c) => [
      `OEBPS/${c.id}.xhtml`,
      strToU8(
        `<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="${book.language}" xml:lang="${book.language}"><head><title>${escapeXml(c.title)}</title></head>` +
          `<body><h1>${escapeXml(c.title)}</h1>${c.paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('')}</body></html>`,
      ),
    ]),
  );
  const creators = book.creators
    .map(
      (c, i) =>
        `<dc:${c.role === 'aut' ? 'creator' : 'contributor'} id="cr${i}">${escapeXml(c.name)}</dc:${c.role === 'aut' ? 'creator' : 'contributor'}>\n    ` +
        `<meta refines="#cr${i}" property="role" scheme="marc:relators">${c.role}</meta>`,
    )
    .join('\n    ');
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="${book.language}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">${book.identifier}</dc:identifier>
    <dc:title>${escapeXml(book.title)}</dc:title>
    ${creators}
    <dc:language>${book.language}</dc:language>
    ${book.subjects.map((s) => `<dc:subject>${escapeXml(s)}</dc:subject>`).join('\n    ')}
    <dc:description>${escapeXml(book.description)}</dc:description>
    <dc:publisher>Pustaka Kota Nusantara</dc:publisher>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="cover" href="cover.png" media-type="image/png" properties="cover-image"/>
    ${book.chapters.map((c) => `<item id="${c.id}" href="${c.id}.xhtml" media-type="application/xhtml+xml"/>`).join('\n    ')}
  </manifest>
  <spine>${book.chapters.map((c) => `<itemref idref="${c.id}"/>`).join('')}</spine>
</package>`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="${book.language}" xml:lang="${book.language}"><head><title>Daftar Isi</title></head>
<body><nav epub:type="toc"><h1>Daftar Isi</h1><ol>${book.chapters.map((c) => `<li><a href="${c.id}.xhtml">${escapeXml(c.title)}</a></li>`).join('')}</ol></nav></body></html>`;
  return zipSync(
    {
      // EPUB OCF: `mimetype` first and stored, the rest deflated.
      mimetype: [strToU8('application/epub+zip'), { level: 0 }],
      'META-INF/container.xml': strToU8(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
      'OEBPS/content.opf': strToU8(opf),
      'OEBPS/nav.xhtml': strToU8(nav),
      'OEBPS/cover.png': [coverPng(book.palette), { level: 0 }],
      ...chapterFiles,
    },
    { level: 6, mtime: zipTime },
  );
}

/**
 * A 600 × 900 cover painted pixel by pixel (sky, a sun or moon, rolling ground, a frame): no fonts or image
 * library involved, so the same bytes come out everywhere.
 */
export function coverPng({ sky, disc, ground }: SampleBook['palette']): Uint8Array {
  const width = 600;
  const height = 900;
  const row = 1 + width * 3;
  const raw = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const horizon = 640 + Math.round(28 * Math.sin(x / 70));
      const inDisc = (x - 410) ** 2 + (y - 250) ** 2 <= 110 ** 2;
      const frame = x < 24 || x >= width - 24 || y < 24 || y >= height - 24;
      const shade = (c: [number, number, number], k: number) => c.map((v) => Math.round(v * k)) as typeof c;
      const colour = frame
        ? shade(ground, 0.6)
        : inDisc
          ? disc
          : y >= horizon
            ? shade(ground, 1 - (y - horizon) / 900)
            : shade(sky, 0.75 + (0.25 * y) / 640);
      raw.set(colour, y * row + 1 + x * 3);
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(strToU8(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    png.set(part, at);
    at += part.length;
  }
  return png;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A small text PDF (one page per chapter) with a correct cross-reference table and an Info dictionary. */
function buildPdf(): Uint8Array {
  const pdfText = (text: string) => text.replace(/[\\()]/g, (ch) => `\\${ch}`).replace(/[^\x20-\x7e]/g, '?');
  const objects: string[] = [];
  const pageIds = chapters.map((_, i) => 4 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${chapters.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  chapters.forEach((chapter, i) => {
    const lines = [chapter.title, '', ...chapter.paragraphs.flatMap((p) => p.match(/.{1,80}(\s|$)/g) ?? [])];
    const stream = `BT /F1 12 Tf 56 780 Td 16 TL ${lines.map((l) => `(${pdfText(l.trim())}) '`).join(' ')} ET`;
    objects[pageIds[i]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  const infoId = objects.length;
  objects[infoId] =
    '<< /Title (The Library That Never Sleeps) /Author (Tim Pustaka) /Subject (Sample PDF shipped with Pustaka) >>';
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = body.length;
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = body.length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return strToU8(body);
}

/** The file names of the shipped samples, as the seed report keys them. */
export const shippedSampleNames = [
  bilingual.fileName,
  'library-never-sleeps.pdf',
  ...indonesianBooks.map((b) => b.fileName),
];

/** Writes the shipped samples in the fixtures layout (epub/, pdf/) under `dir` and returns `dir`. */
export function writeShippedSamples(dir: string): string {
  mkdirSync(join(dir, 'epub'), { recursive: true });
  mkdirSync(join(dir, 'pdf'), { recursive: true });
  for (const book of [bilingual, ...indonesianBooks]) {
    writeFileSync(join(dir, 'epub', book.fileName), buildSampleEpub(book));
  }
  writeFileSync(join(dir, 'pdf', 'library-never-sleeps.pdf'), buildPdf());
  return dir;
}
