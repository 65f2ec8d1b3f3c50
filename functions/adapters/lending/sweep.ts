import type { SweepReport } from '../../domain/lending-ports';
import type { Clock } from '../../domain/ports';
import { dueEntryOf, dueKinds } from '../entities';
import { dueKeys } from '../keys';
import { dayOf, nextDay, type DueDays } from './due-days';
import type { HoldFamily } from './holds';
import type { LoanFamily } from './loans';

/**
 * The sweep: reads the due partitions from the watermark day to today (everything due up to now), ends what
 * is due, and moves the watermark past days that are over and empty. Each item ends in its own conditional
 * transaction, so two sweeps at once end it once and never free a slot twice.
 */
export class Sweep {
  constructor(
    private readonly clock: Clock,
    private readonly due: DueDays,
    private readonly loans: LoanFamily,
    private readonly holds: HoldFamily,
  ) {}

  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const today = dayOf(now);
    const report: SweepReport = {
      loansExpired: 0,
      reservationsLapsed: 0,
      suspensionsEnded: 0,
      daysScanned: 0,
    };
    let clean = true;
    for await (const { day, items } of this.due.walk({
      now,
      lastDay: today,
      sort: { '<=': dueKeys.upTo(now.toISOString()) },
    })) {
      report.daysScanned += 1;
      for (const entry of items.map(dueEntryOf)) {
        try {
          if (entry.sk === dueKinds.loan) {
            if (await this.loans.expireLoan(entry.id)) report.loansExpired += 1;
          } else if (entry.sk === dueKinds.hold) {
            if (await this.holds.lapseHold(entry.id)) report.reservationsLapsed += 1;
          } else if (entry.sk === dueKinds.suspension) {
            if (await this.holds.endSuspension(entry.id)) report.suspensionsEnded += 1;
          }
        } catch {
          clean = false; // left for the next sweep; the watermark stays on this day
        }
      }
      if (day >= today || !clean) break;
      await this.due.advanceWatermark(nextDay(day));
    }
    return report;
  }
}
