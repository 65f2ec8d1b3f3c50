import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import type { LendingRepository, SweepReport } from '../../functions/domain/lending-ports';
import { startSweepTimer } from '../../functions/application/sweep';

const report: SweepReport = { loansExpired: 0, reservationsLapsed: 0, suspensionsEnded: 0, daysScanned: 1 };

describe('the local sweep timer', () => {
  it('sweeps at once and then on every tick, and stops for good on shutdown, even after a failed sweep', async () => {
    // Prepare: a lending port that counts sweeps and fails the second one
    let sweeps = 0;
    const lending = {
      sweep: async () => {
        sweeps += 1;
        if (sweeps === 2) throw new Error('DynamoDB Local went away');
        return report;
      },
    } as unknown as LendingRepository;
    const logger = new Logger({ logLevel: 'SILENT' });
    // Act
    const stop = startSweepTimer({ lending, logger }, 20);
    await new Promise((r) => setTimeout(r, 110));
    await stop();
    const atStop = sweeps;
    await new Promise((r) => setTimeout(r, 60));
    // Assess
    expect(atStop).toBeGreaterThanOrEqual(3);
    expect(sweeps).toBe(atStop);
  });
});
