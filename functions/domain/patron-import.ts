import { enrolPatron, type NewPatronRequest, type PatronAdminDeps } from './patron-admin';
import { readCsv, type CsvRecord } from './csv';
import { ConflictError, ValidationError } from './errors';

/**
 * A CSV import of patrons: each row checked on its own, the good ones enrolled, the bad ones reported with
 * their line and reasons. Columns by header name (any order): cardNumber, name, email, pin, loanLimit,
 * holdLimit; cardNumber and name are required. Lines are the file's physical lines, as an editor numbers them; a
 * line whose quoting is broken is refused as it stands, never guessed at.
 */
export const importLimits = { maxRows: 1000 } as const;

export interface RowProblem {
  field: string;
  code:
    | 'MISSING_NAME'
    | 'BAD_CARD_NUMBER'
    | 'DUPLICATE_CARD'
    | 'BAD_EMAIL'
    | 'BAD_PIN'
    | 'BAD_LIMIT'
    | 'TEXT_AFTER_QUOTE'
    | 'STRAY_QUOTE'
    | 'UNCLOSED_QUOTE';
  message: string;
}

export interface ImportedRow {
  line: number;
  cardNumber: string;
  outcome: 'imported' | 'refused';
  patronId?: string;
  problems?: RowProblem[];
}

export interface ImportReport {
  rows: number;
  imported: number;
  refused: number;
  results: ImportedRow[];
}

const cardPattern = /^[A-Za-z0-9-]{4,32}$/;
/** The PIN policy: 4 to 12 digits, for imported cards and for a PIN a patron chooses. */
export const pinPattern = /^\d{4,12}$/;
// Deliberately plain: one @, no spaces, a dot in the domain.
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
const columns = ['cardNumber', 'name', 'email', 'pin', 'loanLimit', 'holdLimit'] as const;

export async function importPatrons(deps: PatronAdminDeps, csv: string): Promise<ImportReport> {
  const records = readCsv(csv, importLimits.maxRows + 1);
  const first = records.shift();
  if (first?.fault) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `The first line, which names the columns, cannot be read: ${faultMessage(first, [])}`,
      context: { field: 'header', line: first.line },
    });
  }
  const header = (first && first.line === 1 ? first.cells : []).map((h) => h.trim());
  const missing = ['cardNumber', 'name'].filter((c) => !header.includes(c));
  if (missing.length) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `The first line must name the columns; missing: ${missing.join(', ')}.`,
      context: {
        field: 'header',
        expected: columns,
      },
    });
  }
  const dataRows = records.filter(({ cells, fault }) => fault || cells.some((c) => c.trim() !== ''));
  if (dataRows.length > importLimits.maxRows) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `An import may have at most ${importLimits.maxRows} rows.`,
      context: {
        rows: dataRows.length,
      },
    });
  }

  const seen = new Set<string>();
  const results: ImportedRow[] = [];
  const enrolments: (() => Promise<void>)[] = [];
  for (const record of dataRows) {
    const { cells, line, fault } = record;
    const cell = (name: string) => {
      const i = header.indexOf(name);
      return i >= 0 ? (cells[i] ?? '').trim() : '';
    };
    if (fault) {
      results.push({
        line,
        cardNumber: cell('cardNumber'),
        outcome: 'refused',
        problems: [
          {
            field: header[fault.column] ?? `column ${fault.column + 1}`,
            code: fault.code,
            message: faultMessage(record, header),
          },
        ],
      });
      continue;
    }
    const cardNumber = cell('cardNumber');
    const problems: RowProblem[] = [];
    if (!cardPattern.test(cardNumber)) {
      problems.push({
        field: 'cardNumber',
        code: 'BAD_CARD_NUMBER',
        message: 'A card number has 4–32 letters, digits or dashes.',
      });
    } else if (seen.has(cardNumber)) {
      problems.push({
        field: 'cardNumber',
        code: 'DUPLICATE_CARD',
        message: 'This card number appears earlier in the file.',
      });
    }
    const name = cell('name');
    if (!name) problems.push({ field: 'name', code: 'MISSING_NAME', message: 'The name is missing.' });
    const email = cell('email');
    if (email && !emailPattern.test(email)) {
      problems.push({ field: 'email', code: 'BAD_EMAIL', message: 'This is not an e-mail address.' });
    }
    const pin = cell('pin');
    if (pin && !pinPattern.test(pin)) {
      problems.push({ field: 'pin', code: 'BAD_PIN', message: 'A PIN has 4–12 digits.' });
    }
    const limits: Partial<Record<'loanLimit' | 'holdLimit', number>> = {};
    for (const field of ['loanLimit', 'holdLimit'] as const) {
      const raw = cell(field);
      if (!raw) continue;
      const value = Number(raw);
      if (!/^\d{1,3}$/.test(raw) || value > 100) {
        problems.push({ field, code: 'BAD_LIMIT', message: 'A limit is a whole number from 0 to 100.' });
      } else limits[field] = value;
    }
    if (cardPattern.test(cardNumber)) seen.add(cardNumber);
    if (problems.length) {
      results.push({ line, cardNumber, outcome: 'refused', problems });
      continue;
    }
    const request: NewPatronRequest = {
      cardNumber,
      name,
      ...(email ? { email } : {}),
      ...(pin ? { pin } : {}),
      ...limits,
    };
    const result: ImportedRow = { line, cardNumber, outcome: 'imported' };
    results.push(result);
    enrolments.push(async () => {
      try {
        result.patronId = (await enrolPatron(deps, request)).id;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        result.outcome = 'refused';
        result.problems = [
          {
            field: 'cardNumber',
            code: 'DUPLICATE_CARD',
            message: 'This card number already belongs to a patron.',
          },
        ];
      }
    });
  }
  // PIN hashing (scrypt) runs on libuv's thread pool: a few at a time keeps every thread busy.
  await inPool(enrolments, 4);
  const imported = results.filter((r) => r.outcome === 'imported').length;
  return { rows: results.length, imported, refused: results.length - imported, results };
}

async function inPool(tasks: (() => Promise<void>)[], size: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
}

/** What a librarian needs to mend a line whose quoting is broken: where, what is wrong, how to write it. */
function faultMessage({ line, fault }: CsvRecord, header: string[]): string {
  if (!fault) return '';
  const column = header[fault.column] ? `"${header[fault.column]}"` : `column ${fault.column + 1}`;
  const where = fault.foundOn > line ? ` (on line ${fault.foundOn})` : '';
  switch (fault.code) {
    case 'TEXT_AFTER_QUOTE':
      return (
        `The quoted value of ${column} is followed by more text${where}. A quote inside a quoted value is ` +
        'written twice: "Agus ""Gus"" Salim". This line was not read.'
      );
    case 'STRAY_QUOTE':
      return (
        `The value of ${column} has a quote but is not quoted${where}. Put the whole value in quotes and write ` +
        'the quote twice: "Agus ""Gus"" Salim". This line was not read.'
      );
    case 'UNCLOSED_QUOTE':
      return (
        `The quote that opens the value of ${column} is never closed, so the rest of the file ` +
        `(lines ${line}–${fault.lastLine}) could not be read and none of it was imported. Close the quote, then ` +
        `import lines ${line}–${fault.lastLine} again.`
      );
  }
}
