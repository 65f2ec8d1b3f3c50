import { describe, expect, it } from 'vitest';
import { classifyIdentifiers } from '../../../functions/domain/publication/identifiers';

describe('classifying publication identifiers', () => {
  it('takes bare numbers for ISBNs or ISSNs only when their check digit is right', () => {
    // Act
    const identifiers = classifyIdentifiers([
      { value: '978-0-306-40615-7' },
      { value: '0-306-40615-2' },
      { value: '9780306406158' },
      { value: '2049-3630' },
      { value: '2049-3631' },
      { value: 'ISSN 0028-0836' },
      { value: '978-0-306-40615-7' },
    ]);

    // Assess
    expect(identifiers).toEqual({
      isbn: ['9780306406157', '0306406152'],
      issn: ['2049-3630', '0028-0836'],
      other: ['9780306406158', '2049-3631'],
    });
  });

  it('returns no keys when there are no identifiers', () => {
    expect(classifyIdentifiers([{ value: '  ' }])).toEqual({});
  });
});
