import { describe, expect, it } from 'vitest';
import { planUpload } from '../../functions/domain/upload';

const MiB = 1024 * 1024;

describe('planUpload', () => {
  it.each([
    [1, { mode: 'single' }],
    [64 * MiB, { mode: 'single' }],
    [64 * MiB + 1, { mode: 'multipart', partSize: 8 * MiB, partCount: 9 }],
    [2 * 1024 * MiB, { mode: 'multipart', partSize: 21 * MiB, partCount: 98 }],
  ])('plans %i bytes as %j', (size, plan) => {
    expect(planUpload(size)).toEqual(plan);
  });

  it('keeps parts within 8–64 MiB and at most ~100 of them for every size up to the cap', () => {
    for (let size = 64 * MiB + 1; size <= 2 * 1024 * MiB; size += 37 * MiB) {
      const { partSize, partCount } = planUpload(size);
      expect(partSize).toBeGreaterThanOrEqual(8 * MiB);
      expect(partSize).toBeLessThanOrEqual(64 * MiB);
      expect(partCount! * partSize!).toBeGreaterThanOrEqual(size);
      expect(partCount).toBeLessThanOrEqual(100);
    }
  });

  it.each([
    [0, 'EMPTY_FILE'],
    [2 * 1024 * MiB + 1, 'FILE_TOO_LARGE'],
    [-1, 'VALIDATION_FAILED'],
  ])('refuses %i bytes with %s', (size, code) => {
    expect(() => planUpload(size)).toThrow(expect.objectContaining({ code }));
  });
});
