import { describe, expect, it } from 'vitest';
import { readCsv } from '../../functions/domain/csv';

describe('readCsv', () => {
  it('reads quoted commas, doubled quotes and line breaks, CRLF and a BOM, at the lines where records start', () => {
    // Prepare
    const text = '\uFEFFa,b\r\n"x, y","say ""hi""\r\nthere"\r\n\r\n  \r\n,last\r\n';
    // Act
    const records = readCsv(text);
    // Assess
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"\nthere'] },
      { line: 6, cells: ['', 'last'] },
    ]);
  });

  it('counts a record after a value spanning three lines at its own physical line', () => {
    const records = readCsv('a,b\n1,"one\ntwo\nthree"\n2,z');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('refuses broken quoting instead of repairing it, and reads on from the next line', () => {
    // Prepare: text after a closing quote (also after a space), a quote in an unquoted value,
    // and a quoted value that spans a line before the fault
    const text = ['a,b', '1,"x"y', '2,"x" y', '3,ab"c', '4,"multi', 'line"tail', '5,ok'].join('\n');
    // Act
    const records = readCsv(text);
    // Assess
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1'], fault: { code: 'TEXT_AFTER_QUOTE', column: 1, foundOn: 2, lastLine: 2 } },
      { line: 3, cells: ['2'], fault: { code: 'TEXT_AFTER_QUOTE', column: 1, foundOn: 3, lastLine: 3 } },
      { line: 4, cells: ['3'], fault: { code: 'STRAY_QUOTE', column: 1, foundOn: 4, lastLine: 4 } },
      { line: 5, cells: ['4'], fault: { code: 'TEXT_AFTER_QUOTE', column: 1, foundOn: 6, lastLine: 6 } },
      { line: 7, cells: ['5', 'ok'] },
    ]);
  });

  it('stops at a quote that is never closed, naming the line it opens on and the last line it swallowed', () => {
    const records = readCsv('a,b\r\n1,z\r\n\r\n2,"oops\r\n3,w\r\n4,v\r\n\r\n');
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'z'] },
      { line: 4, cells: ['2'], fault: { code: 'UNCLOSED_QUOTE', column: 1, foundOn: 6, lastLine: 6 } },
    ]);
  });

  it('reads an empty text as no records', () => {
    expect(readCsv('')).toEqual([]);
    expect(readCsv('\n\n')).toEqual([]);
  });
});
