import { decideAdvance } from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import { isActive, isUsable, type Licence } from '../../domain/licence';
import { licenceEntity, supplierLicenceEntity } from '../entities';
import { advanceBatch, type LendingContext } from './context';
import { writes } from './plans';

/** Licences of a title's pool, and the queue they serve: adding, (de)activating, reserving free slots. */
export class LicenceFamily {
  constructor(private readonly c: LendingContext) {}

  /**
   * Adds a licence to a title's pool. Its slots serve the queue first, exactly as a returned copy does: the
   * first waiting holds are reserved on it in the same transaction; a long queue goes on in further batches.
   * False when a licence with that id exists (seeding is idempotent).
   */
  async addLicence(licence: Licence): Promise<boolean> {
    const { titleId } = licence;
    const { reads, plans } = this.c;
    const added = await this.c.transact(async () => {
      const now = this.c.clock.now();
      const title = await reads.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      if (title.licences.some((l) => l.id === licence.id)) return { writes: [], result: false };
      const supplierId = licence.supplierLicenceId;
      if (supplierId !== undefined && title.licences.some((l) => l.supplierLicenceId === supplierId)) {
        throw lendingErrors.licenceExists(titleId, supplierId);
      }
      const pool = { ...title, licences: [...title.licences, licence] };
      const reservations = decideAdvance({
        title: pool,
        waiting: await reads.waitingHolds(titleId, title.queue, advanceBatch, now),
        now,
      });
      const onNew = reservations.filter((r) => r.licence.id === licence.id).length;
      const stored: Licence = {
        ...licence,
        available: licence.available === null ? null : licence.available - onNew,
      };
      return {
        writes: writes(
          plans.putIfAbsent(licenceEntity.toItem(stored)),
          // Taken once per title; a concurrent add of the same supplier licence fails here, retries, and
          // then finds the other licence above.
          supplierId === undefined
            ? undefined
            : plans.putIfAbsent(
                supplierLicenceEntity.toItem({
                  titleId,
                  supplierLicenceId: supplierId,
                  licenceId: licence.id,
                }),
              ),
          plans.reserve(title, reservations, now, licence.id),
          isUsable(licence, now) ? plans.wishersToTell(titleId, licence.id, now) : undefined,
        ),
        result: true,
      };
    });
    if (added) await this.advanceQueue(titleId);
    return added;
  }

  /**
   * Deactivates a licence (nothing new is lent from it; loans out run to their end) or reactivates it, when
   * its free slots go to the queue first. Answers the licence as stored.
   */
  async setLicenceActive(request: { titleId: string; licenceId: string; active: boolean }): Promise<Licence> {
    const { titleId, licenceId, active } = request;
    const { reads, plans } = this.c;
    const changed = await this.c.transact<Licence>(async () => {
      const now = this.c.clock.now();
      const title = await reads.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      const licence = title.licences.find((l) => l.id === licenceId);
      if (!licence) throw lendingErrors.licenceNotFound(licenceId);
      if (isActive(licence) === active) return { writes: [], result: licence };
      if (!active) {
        const deactivatedAt = now.toISOString();
        return {
          writes: [
            {
              item: {
                Update: {
                  TableName: plans.tableName,
                  Key: licenceEntity.key(titleId, licenceId),
                  UpdateExpression: 'SET deactivatedAt = :at',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
                  ExpressionAttributeValues: { ':at': deactivatedAt },
                },
              },
              onConditionFailed: 'stale',
            },
          ],
          result: { ...licence, deactivatedAt },
        };
      }
      const { deactivatedAt: _was, ...reactivated } = licence;
      const reservations = decideAdvance({
        title: { ...title, licences: title.licences.map((l) => (l.id === licenceId ? reactivated : l)) },
        waiting: await reads.waitingHolds(titleId, title.queue, advanceBatch, now),
        now,
      });
      const taken = reservations.filter((r) => r.licence.id === licenceId).length;
      const result: Licence = {
        ...reactivated,
        available: reactivated.available === null ? null : reactivated.available - taken,
      };
      return {
        writes: writes(
          plans.licenceSlots(licence, taken, {
            remove: 'deactivatedAt',
            condition: 'attribute_exists(deactivatedAt)',
          }),
          plans.reserve(title, reservations, now, licenceId),
          isUsable(result, now) ? plans.wishersToTell(titleId, licenceId, now) : undefined,
        ),
        result,
      };
    });
    if (active) await this.advanceQueue(titleId);
    return changed;
  }

  /**
   * Reserves free slots for waiting holds, first in line first, a batch per transaction, until no slot is
   * free or nobody waits. Answers how many holds were reserved.
   */
  async advanceQueue(titleId: string): Promise<number> {
    const { reads, plans } = this.c;
    let total = 0;
    for (;;) {
      const reserved = await this.c.transact(async () => {
        const now = this.c.clock.now();
        const title = await reads.titleLending(titleId);
        if (!title || title.queue.waiting === 0) return { writes: [], result: 0 };
        const reservations = decideAdvance({
          title,
          waiting: await reads.waitingHolds(titleId, title.queue, advanceBatch, now),
          now,
        });
        return { writes: plans.reserve(title, reservations, now), result: reservations.length };
      });
      total += reserved;
      if (reserved < advanceBatch) return total;
    }
  }
}
