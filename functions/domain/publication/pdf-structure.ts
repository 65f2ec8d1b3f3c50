import { UnprocessableError } from '../errors';
import { readExactly, type ByteSource } from './byte-source';

/**
 * Checks a PDF's skeleton before pdfjs sees it. pdfjs "repairs" a broken file by scanning all of it, which
 * would read a whole upload and silently accept one cut off in the middle; a file must instead end with
 * %%EOF, name a startxref inside itself, and have a cross-reference section (table or stream) there.
 * The trailer found there is also where encryption is declared, even when pdfjs could open the file with an
 * empty user password; whether it needs a password to open is for pdfjs to find out.
 */
const TAIL_BYTES = 1024;
const TRAILER_WINDOW = 64 * 1024;
const latin1 = new TextDecoder('latin1');

export async function checkPdfStructure(source: ByteSource): Promise<{ encrypted: boolean }> {
  const head = latin1.decode(await readExactly(source, 0, Math.min(source.size, 16)));
  if (!/^%PDF-\d\.\d/.test(head)) {
    throw new UnprocessableError({
      code: 'PDF_INVALID',
      detail: 'The file does not start with a PDF header.',
    });
  }
  const tailOffset = Math.max(0, source.size - TAIL_BYTES);
  const tail = latin1.decode(await readExactly(source, tailOffset, source.size - tailOffset));
  const eof = tail.lastIndexOf('%%EOF');
  if (eof < 0) throw truncated('The PDF does not end with %%EOF; it looks cut off.');
  const keyword = tail.lastIndexOf('startxref', eof);
  const match = keyword < 0 ? null : /^startxref\s+(\d{1,15})(?=\s|%)/.exec(tail.slice(keyword, eof + 1));
  if (!match) throw truncated('The PDF has no startxref before %%EOF.');
  const xrefOffset = Number(match[1]);
  const keywordOffset = tailOffset + keyword;
  if (xrefOffset >= keywordOffset) {
    throw truncated('The PDF startxref points outside the file.', {
      startxref: xrefOffset,
      size: source.size,
    });
  }

  const window = latin1.decode(
    await readExactly(source, xrefOffset, Math.min(TRAILER_WINDOW, keywordOffset - xrefOffset)),
  );
  let trailer: string | undefined;
  if (/^\s*xref\b/.test(window)) {
    // Classic table: the trailer of the newest section sits right before the final startxref.
    const from = Math.max(xrefOffset, keywordOffset - TRAILER_WINDOW);
    const region = latin1.decode(await readExactly(source, from, keywordOffset - from));
    const at = region.lastIndexOf('trailer');
    trailer = at < 0 ? undefined : dictionaryAt(region, at + 'trailer'.length);
  } else if (/^\s*\d+\s+\d+\s+obj\b/.test(window)) {
    trailer = dictionaryAt(window, window.indexOf('obj') + 3);
    if (trailer && !/\/Type\s*\/XRef\b/.test(trailer)) trailer = undefined;
  }
  if (!trailer) throw truncated('The PDF cross-reference section cannot be read.', { startxref: xrefOffset });
  return { encrypted: /\/Encrypt\b/.test(trailer) };
}

/** The `<< ... >>` dictionary starting at the first `<<` after `from`, with nested dictionaries balanced. */
function dictionaryAt(text: string, from: number): string | undefined {
  const start = text.indexOf('<<', from);
  if (start < 0 || text.slice(from, start).trim() !== '') return undefined;
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      depth--;
      i++;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

function truncated(message: string, context: Record<string, unknown> = {}): UnprocessableError {
  return new UnprocessableError({ code: 'TRUNCATED_FILE', detail: message, context });
}
