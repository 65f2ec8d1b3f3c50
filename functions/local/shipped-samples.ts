import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';

/**
 * The sample library the project ships for when ../shared/fixtures is absent: one EPUB 3 and one PDF, built
 * from the text below (written for this project, free to use) into DATA_DIR. Real fixtures are preferred.
 */
const chapters = [
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
];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function buildEpub(): Uint8Array {
  const chapterFiles = Object.fromEntries(
    chapters.map((c) => [
      `OEBPS/${c.id}.xhtml`,
      strToU8(
        `<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="id"><head><title>${escapeXml(c.title)}</title></head>` +
          `<body><h1>${escapeXml(c.title)}</h1>${c.paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('')}</body></html>`,
      ),
    ]),
  );
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:7b0e3c52-5a8e-4c39-9d1b-2f6f2f0c9a11</dc:identifier>
    <dc:title>Perpustakaan yang Tidak Pernah Tidur</dc:title>
    <dc:creator>Tim Pustaka</dc:creator>
    <dc:language>id</dc:language>
    <dc:subject>Perpustakaan</dc:subject>
    <dc:description>A short bilingual sample book shipped with Pustaka.</dc:description>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    ${chapters.map((c) => `<item id="${c.id}" href="${c.id}.xhtml" media-type="application/xhtml+xml"/>`).join('\n    ')}
  </manifest>
  <spine>${chapters.map((c) => `<itemref idref="${c.id}"/>`).join('')}</spine>
</package>`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Daftar Isi</title></head>
<body><nav epub:type="toc"><ol>${chapters.map((c) => `<li><a href="${c.id}.xhtml">${escapeXml(c.title)}</a></li>`).join('')}</ol></nav></body></html>`;
  return zipSync(
    {
      // EPUB OCF: `mimetype` first and stored, the rest deflated.
      mimetype: [strToU8('application/epub+zip'), { level: 0 }],
      'META-INF/container.xml': strToU8(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
      'OEBPS/content.opf': strToU8(opf),
      'OEBPS/nav.xhtml': strToU8(nav),
      ...chapterFiles,
    },
    { level: 6 },
  );
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

/** Writes the shipped samples in the fixtures layout (epub/, pdf/) under `dir` and returns `dir`. */
export function writeShippedSamples(dir: string): string {
  mkdirSync(join(dir, 'epub'), { recursive: true });
  mkdirSync(join(dir, 'pdf'), { recursive: true });
  writeFileSync(join(dir, 'epub', 'perpustakaan-tidak-pernah-tidur.epub'), buildEpub());
  writeFileSync(join(dir, 'pdf', 'library-never-sleeps.pdf'), buildPdf());
  return dir;
}
