import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import {
  holdsInLine,
  isHoldLive,
  isSuspended,
  reservationHours,
  type Hold,
  type SuspensionDays,
} from '../../domain/hold';
import {
  decideCancelHold,
  decideLapse,
  decidePlaceHold,
  decideResumeHold,
  decideSuspendHold,
  type TitleLending,
} from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import type { HoldView } from '../../domain/lending-ports';
import { chooseLicence, isUsable } from '../../domain/licence';
import { eventIds } from '../../domain/notification';
import { dueEntryOf, dueKinds, suspensionEndEntity } from '../entities';
import { DecideAgain } from '../transactions';
import type { LendingContext } from './context';
import { dayOf, type DueDays } from './due-days';
import type { LicenceFamily } from './licences';
import { Counter, writes } from './plans';

/** Holds: placing, cancelling, suspending and resuming, lapsing, and ending those of a withdrawn title. */
export class HoldFamily {
  constructor(
    private readonly c: LendingContext,
    private readonly licences: LicenceFamily,
    private readonly due: DueDays,
  ) {}

  async placeHold({ patronId, titleId }: { patronId: string; titleId: string }): Promise<HoldView> {
    const { reads, plans } = this.c;
    const holdId = `h-${randomUUID()}`;
    const hold = await this.c.transact(async () => {
      const now = this.c.clock.now();
      const [title, patron] = await Promise.all([
        reads.titleLending(titleId),
        reads.patronLending(patronId, titleId),
      ]);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      await this.settleSuspensions(title, now);
      const hold = decidePlaceHold({ title, patron, now, holdId });
      const queue = new Counter().add('waiting', 1).set('lastSeq', hold.seq);
      queue.require(
        hold.seq === 1 ? 'attribute_not_exists(lastSeq) OR lastSeq = :seen' : 'lastSeq = :seen',
        { ':seen': hold.seq - 1 },
        'stale',
      );
      // The hold was allowed because no copy was free: keep it so until the hold is written.
      const licenceChecks =
        holdsInLine(title.queue) > 0
          ? []
          : title.licences.filter((l) => isUsable(l, now)).map((l) => plans.noFreeCopy(l));
      return {
        writes: writes(
          plans.putHold(hold),
          plans.putHoldOfTitle(hold),
          plans.noLoanOfTitle(patronId, titleId),
          plans.counters(
            patronId,
            new Counter()
              .add('holds', 1)
              .require(
                'attribute_not_exists(holds) OR holds < :holdLimit',
                { ':holdLimit': patron.holdLimit },
                () => lendingErrors.holdLimitReached(patron.holdLimit),
              ),
          ),
          plans.patronIsActive(patronId),
          plans.titleIsLendable(titleId),
          plans.queue(titleId, queue),
          licenceChecks,
        ),
        result: hold,
      };
    });
    return reads.viewOf(hold);
  }

  async cancelHold({ patronId, holdId }: { patronId: string; holdId: string }): Promise<Hold> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const hold = await reads.getHold(holdId);
      if (!hold || hold.patronId !== patronId) throw lendingErrors.holdNotFound(holdId);
      const { licence, firstWaiting, titleWithdrawn } =
        hold.status === 'reserved'
          ? await reads.slotContext(hold.titleId, hold.licenceId)
          : { licence: undefined, firstWaiting: undefined, titleWithdrawn: false };
      const decision = decideCancelHold({ hold, holdId, patronId, licence, firstWaiting, now });
      return {
        writes: plans.cancelHold(decision, hold, licence, now, { patronId, titleWithdrawn }),
        result: decision.hold,
      };
    });
  }

  // ---- suspending holds ("deliver later") ------------------------------------------------------

  async suspendHold({
    patronId,
    holdId,
    days,
  }: {
    patronId: string;
    holdId: string;
    days: SuspensionDays;
  }): Promise<HoldView> {
    const { reads, plans } = this.c;
    const suspended = await this.c.transact(async () => {
      const now = this.c.clock.now();
      const hold = await reads.getHold(holdId);
      const decision = decideSuspendHold({ hold, holdId, patronId, days, now });
      const until = decision.suspendedUntil!;
      const queue = new Counter();
      if (!hold!.suspendedUntil) queue.add('suspended', 1);
      return {
        writes: writes(plans.suspend(hold!, until, patronId), plans.queue(decision.titleId, queue)),
        result: decision,
      };
    });
    return reads.viewOf(suspended);
  }

  /** The patron resumes a suspended hold early; a copy free now is reserved for the queue at once. */
  async resumeHold({ patronId, holdId }: { patronId: string; holdId: string }): Promise<HoldView> {
    const resumed = await this.resume(holdId, patronId);
    await this.licences.advanceQueue(resumed.titleId);
    return this.c.reads.viewOf((await this.c.reads.getHold(holdId)) ?? resumed);
  }

  /**
   * Resumes a hold whose suspension has run out (the sweeper, or a decision meeting it); a copy free now is
   * reserved for the queue. True when this call resumed it.
   */
  async endSuspension(holdId: string): Promise<boolean> {
    const hold = await this.c.reads.getHold(holdId);
    if (!hold) {
      await this.c.documents.send(
        new DeleteCommand({ TableName: this.c.tableName, Key: suspensionEndEntity.key(holdId) }),
      );
      return false;
    }
    const before = hold.suspendedUntil;
    const resumed = await this.resume(holdId);
    if (resumed.suspendedUntil === before && before !== undefined) return false;
    await this.licences.advanceQueue(resumed.titleId);
    return before !== undefined && resumed.status === 'waiting';
  }

  /** One transaction: the hold's suspension removed (as read), its end marker deleted, the queue counted. */
  private resume(holdId: string, patronId?: string): Promise<Hold> {
    const { reads, plans } = this.c;
    return this.c.transact<Hold>(async () => {
      const now = this.c.clock.now();
      const hold = await reads.getHold(holdId);
      const resumed = decideResumeHold({ hold, holdId, ...(patronId ? { patronId } : {}), now });
      if (!resumed) {
        // Nothing to resume (already in line, reserved or ended): a stray end marker is tidied away.
        const stray = !hold || hold.status !== 'waiting' || hold.suspendedUntil === undefined;
        return {
          writes: stray ? [plans.deleteMarker(suspensionEndEntity.key(holdId))] : [],
          result: hold!,
        };
      }
      return {
        writes: writes(
          plans.unsuspend(hold!),
          plans.queue(resumed.titleId, new Counter().add('suspended', -1)),
        ),
        result: resumed,
      };
    });
  }

  /**
   * Suspensions of a title that have run out but are still stored, while a copy is free: resumed now (their
   * holds back in line, the free copies reserved for the queue), then the caller decides again on fresh state.
   * Without this a copy could go to a newcomer in the minutes before the sweeper comes by.
   */
  async settleSuspensions(title: TitleLending, now: Date): Promise<void> {
    if (title.queue.suspended === 0 || !chooseLicence(title.licences, now)) return;
    const ended = (await this.c.reads.queueOf(title.titleId)).filter(
      (hold) => hold.suspendedUntil !== undefined && !isSuspended(hold, now),
    );
    if (ended.length === 0) return;
    for (const hold of ended) await this.endSuspension(hold.id);
    throw new DecideAgain('a suspension had run out');
  }

  /** Lapses one reservation past its deadline; true when this call lapsed it. */
  async lapseHold(holdId: string): Promise<boolean> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const hold = await reads.getHold(holdId);
      if (!hold || hold.status !== 'reserved') return { writes: [], result: false };
      const { licence, firstWaiting, titleWithdrawn } = await reads.slotContext(hold.titleId, hold.licenceId);
      const decision = decideLapse({ hold, licence, firstWaiting, now });
      if (!decision) return { writes: [], result: false };
      return {
        writes: [
          ...plans.endHold(
            decision,
            hold,
            licence,
            '#status = :reserved AND reservedUntil <= :now',
            { ':reserved': 'reserved', ':now': now.toISOString() },
            now,
            titleWithdrawn,
          ),
          ...plans.notice(
            {
              id: eventIds.reservationLapsed(hold.id),
              patronId: hold.patronId,
              kind: 'reservation-lapsed',
              titleId: hold.titleId,
              deadline: hold.reservedUntil!,
            },
            now,
          ),
        ],
        result: true,
      };
    });
  }

  // ---- withdrawn titles ------------------------------------------------------------------------

  /**
   * Cancels every live hold on a withdrawn title, each in its own transaction: waiting holds leave the
   * queue; reserved holds give their kept slot back to the licence. Safe to run again. Answers how many
   * holds this call cancelled.
   */
  async endHoldsOfWithdrawnTitle(titleId: string): Promise<number> {
    const { reads } = this.c;
    const title = await reads.titleLending(titleId);
    if (!title) throw lendingErrors.titleNotFound(titleId);
    if (title.status !== 'withdrawn') return 0;
    let cancelled = 0;
    for (const hold of await reads.queueOf(titleId))
      if (await this.cancelHoldOfWithdrawnTitle(hold.id)) cancelled += 1;
    // Reserved holds sit in the due partitions of their deadlines (at most 72 hours ahead, or overdue and
    // not yet swept): read those days for this title's holds.
    const now = this.c.clock.now();
    for await (const { items } of this.due.walk({
      now,
      lastDay: dayOf(new Date(now.getTime() + (reservationHours + 24) * 3_600_000)),
      filter: 'sk = :hold AND titleId = :title',
      values: { ':hold': dueKinds.hold, ':title': titleId },
    })) {
      for (const entry of items.map(dueEntryOf))
        if (await this.cancelHoldOfWithdrawnTitle(entry.id)) cancelled += 1;
    }
    return cancelled;
  }

  private async cancelHoldOfWithdrawnTitle(holdId: string): Promise<boolean> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const hold = await reads.getHold(holdId);
      if (!hold || !isHoldLive(hold)) return { writes: [], result: false };
      const { licence, titleWithdrawn } = await reads.slotContext(hold.titleId, hold.licenceId);
      if (!titleWithdrawn) return { writes: [], result: false };
      const decision = decideCancelHold({
        hold,
        holdId,
        patronId: hold.patronId,
        licence,
        firstWaiting: undefined,
        now,
      });
      return {
        writes: plans.cancelHold(decision, hold, licence, now, { titleWithdrawn: true }),
        result: true,
      };
    });
  }
}
