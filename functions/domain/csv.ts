import { CsvError, parse } from 'csv-parse/sync';

/** Why a record could not be read: the quoting is broken. */
export type CsvFault =
  /** `"x"y`: text between a closing quote and the next comma or line end. */
  | 'TEXT_AFTER_QUOTE'
  /** `ab"c`: a quote inside a value that is not quoted. */
  | 'STRAY_QUOTE'
  /** A quote that opens a value and is never closed: it swallows the rest of the file. */
  | 'UNCLOSED_QUOTE';

export interface CsvRecord {
  /** The physical line (1-based) on which the record starts, even when a quoted value spans lines. */
  line: number;
  /** The values read; for a broken record, only those before the broken one. */
  cells: string[];
  fault?: {
    code: CsvFault;
    /** The 0-based column of the broken value. */
    column: number;
    /** The line on which the fault was found: later than `line` when a quoted value spans lines; the end of the file for an unclosed quote. */
    foundOn: number;
    /** The last line the fault made unreadable: the line it was found on, or the file's last line. */
    lastLine: number;
  };
}

const faults: Record<string, CsvFault> = {
  CSV_INVALID_CLOSING_QUOTE: 'TEXT_AFTER_QUOTE',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'TEXT_AFTER_QUOTE',
  INVALID_OPENING_QUOTE: 'STRAY_QUOTE',
  CSV_QUOTE_NOT_CLOSED: 'UNCLOSED_QUOTE',
};

const newline = 0x0a;

/**
 * Reads RFC 4180 CSV (commas, double quotes, "" inside quotes, line breaks inside quotes; CRLF, LF or CR; a BOM)
 * with csv-parse, keeping each record's physical line. Broken quoting is never repaired: the record is returned
 * with a fault and reading resumes on the line after the fault, except for an unclosed quote, after which
 * nothing can be told apart and reading stops. Blank lines are skipped. `maxRecords` bounds the resumptions.
 */
export function readCsv(text: string, maxRecords = Number.POSITIVE_INFINITY): CsvRecord[] {
  // One line break per physical line keeps csv-parse's line count exact: it counts a CRLF inside quotes twice.
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  const bytes = new TextEncoder().encode(normalised);
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === newline) lineStarts.push(i + 1);
  // String.prototype.trim and csv-parse's `trim` drop the same characters, so both call these lines empty.
  const blank = (line: number) => lines[line - 1]!.trim() === '';
  let lastLine = lines.length;
  while (lastLine > 1 && blank(lastLine)) lastLine--;
  const firstLineFrom = (line: number) => {
    while (line < lastLine && blank(line)) line++;
    return line;
  };

  const records: CsvRecord[] = [];
  let chunkLine = 1;
  while (chunkLine <= lastLine && records.length <= maxRecords) {
    /** The line on which the previous record ended, in this chunk's numbering (0: none yet). */
    let endedOn = 0;
    /** The values of the record being read, kept to name what a broken record holds. */
    let cells: string[] = [];
    try {
      parse(bytes.subarray(lineStarts[chunkLine - 1]), {
        bom: chunkLine === 1,
        record_delimiter: '\n',
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
        cast: (value, context) => {
          cells[context.index] = value;
          return value;
        },
        on_record: (record: string[], context) => {
          records.push({ line: firstLineFrom(chunkLine + endedOn), cells: record });
          endedOn = context.lines;
          cells = [];
          return null;
        },
      });
      break;
    } catch (error) {
      const code = error instanceof CsvError ? faults[error.code] : undefined;
      if (!code || !(error instanceof CsvError)) throw error;
      const foundOn = chunkLine + (error.lines as number) - 1;
      const unclosed = code === 'UNCLOSED_QUOTE';
      records.push({
        line: firstLineFrom(chunkLine + endedOn),
        cells,
        fault: {
          code,
          column: error.column as number,
          foundOn: unclosed ? lastLine : foundOn,
          lastLine: unclosed ? lastLine : foundOn,
        },
      });
      if (unclosed) break;
      chunkLine = foundOn + 1;
    }
  }
  return records;
}

/**
 * Writes RFC 4180 CSV (CRLF line ends; a value with a comma, quote or line break quoted, quotes doubled), the
 * counterpart of readCsv. A value that a spreadsheet would take for a formula (starting with =, +, -, @, a tab
 * or a carriage return) gets a leading apostrophe (OWASP's CSV injection advice): titles come from patrons.
 */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
