import { randomUUID } from 'node:crypto';
import { emptyQueue } from '../../domain/hold';
import { decideCheckout, decideExpiry, decideRenew, decideReturn } from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import type { CheckoutRequest, CheckoutResult } from '../../domain/lending-ports';
import type { Loan, LoanDays } from '../../domain/loan';
import { eventIds } from '../../domain/notification';
import {
  holdEntity,
  holdOfTitleEntity,
  idempotencyEntity,
  idempotencyItem,
  loanEntity,
  suspensionEndEntity,
} from '../entities';
import { indexes } from '../table-schema';
import { DecideAgain, type PlannedWrite } from '../transactions';
import type { LendingContext } from './context';
import type { HoldFamily } from './holds';
import { Counter, epochSeconds, idempotencyRetentionSeconds, nobodyInLine, writes } from './plans';

/** Loans: checkout (with its Idempotency-Key), return, expiry, renewal. */
export class LoanFamily {
  constructor(
    private readonly c: LendingContext,
    /** A checkout settles a title's run-out suspensions before it decides. */
    private readonly holds: () => HoldFamily,
  ) {}

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    const { reads, plans } = this.c;
    const { patronId, titleId, idempotencyKey } = request;
    const fingerprint = JSON.stringify({ titleId, days: request.days ?? null });
    const loanId = `l-${randomUUID()}`;
    const idempotencyKeyOf = idempotencyKey ? idempotencyEntity.key(patronId, idempotencyKey) : undefined;

    /** The loan an earlier request with this Idempotency-Key made, if any. */
    const replay = async (): Promise<CheckoutResult | undefined> => {
      if (!idempotencyKeyOf) return undefined;
      const record = idempotencyEntity.fromMaybe(await reads.getItem(idempotencyKeyOf));
      if (!record) return undefined;
      if (record.fingerprint !== fingerprint) throw lendingErrors.idempotencyKeyReused();
      const loan = await reads.getLoan(record.loanId);
      if (!loan) throw new Error(`idempotency record points at missing loan ${record.loanId}`);
      return { loan, replayed: true };
    };

    return this.c.transact<CheckoutResult>(async () => {
      const now = this.c.clock.now();
      const earlier = await replay();
      if (earlier) return { writes: [], result: earlier };
      const title = await reads.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      const patron = await reads.patronLending(patronId, titleId);
      // A loan past its end has ended even if the sweeper has not been by: end it now, then decide afresh.
      const stale = patron.loanOfTitle;
      if (stale && decideExpiry({ loan: stale, licence: undefined, firstWaiting: undefined, now })) {
        await this.expireLoan(stale.id);
        throw new DecideAgain('an expired loan was ended on the way');
      }
      await this.holds().settleSuspensions(title, now);
      let decision: ReturnType<typeof decideCheckout>;
      try {
        decision = decideCheckout({
          title,
          patron,
          ...(request.days ? { days: request.days } : {}),
          now,
          loanId,
        });
      } catch (refusal) {
        // A concurrent request with the same key may have committed between our reads: its loan is this
        // request's answer, not ALREADY_ON_LOAN.
        const committed = await replay();
        if (committed) return { writes: [], result: committed };
        throw refusal;
      }
      const { loan, licence } = decision;

      const counters = new Counter()
        .add('loans', 1)
        .require(
          'attribute_not_exists(loans) OR loans < :loanLimit',
          { ':loanLimit': patron.loanLimit },
          () => lendingErrors.loanLimitReached(patron.loanLimit),
        );
      const queue = new Counter();
      const licenceChange = new Counter().require(
        decision.consumesHold
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
        {},
        'stale',
      );
      if (decision.takesSlot)
        licenceChange.add('available', -1).require('available > :zero', { ':zero': 0 }, 'stale');
      if (decision.usesCheckout)
        licenceChange.add('checkoutsLeft', -1).require('checkoutsLeft > :zero', { ':zero': 0 }, 'stale');

      const planned: PlannedWrite[] = [];
      if (idempotencyKey) {
        planned.push(
          plans.putIfAbsent(
            idempotencyItem(
              { patronId, key: idempotencyKey, fingerprint, loanId: loan.id },
              epochSeconds(now) + idempotencyRetentionSeconds,
            ),
            'replay',
          ),
        );
      }
      planned.push(
        plans.putLoan(loan),
        plans.putLoanOfTitle(loan),
        plans.patronIsActive(patronId),
        plans.titleIsLendable(titleId),
      );

      const hold = decision.consumesHold;
      if (hold?.status === 'waiting') {
        // The patron's own suspended hold, fulfilled by a copy nobody in line was waiting for.
        counters.add('holds', -1);
        queue.add('waiting', -1);
        if (hold.suspendedUntil) queue.add('suspended', -1);
        queue.require(nobodyInLine, { ':zero': 0 }, 'stale');
        planned.push(
          plans.endRecord(
            holdEntity.key(hold.id),
            'fulfilled',
            now.toISOString(),
            hold.suspendedUntil
              ? '#status = :waiting AND patronId = :patron AND suspendedUntil = :suspendedUntil'
              : '#status = :waiting AND patronId = :patron AND attribute_not_exists(suspendedUntil)',
            {
              ':waiting': 'waiting',
              ':patron': patronId,
              ...(hold.suspendedUntil ? { ':suspendedUntil': hold.suspendedUntil } : {}),
            },
            now,
          ),
          plans.deleteMarker(holdOfTitleEntity.key(patronId, titleId)),
          plans.deleteMarker(suspensionEndEntity.key(hold.id)),
        );
      } else if (hold) {
        counters.add('holds', -1);
        queue.add('reserved', -1);
        planned.push(
          plans.endRecord(
            holdEntity.key(hold.id),
            'fulfilled',
            now.toISOString(),
            '#status = :reserved AND reservedUntil > :now AND patronId = :patron',
            { ':reserved': 'reserved', ':now': now.toISOString(), ':patron': patronId },
            now,
          ),
          plans.deleteMarker(holdOfTitleEntity.key(patronId, titleId)),
        );
      } else {
        // Only when nobody waits in line may a copy go to whoever asks first.
        queue.require(nobodyInLine, { ':zero': 0 }, 'stale');
      }
      return {
        writes: writes(
          planned,
          plans.counters(patronId, counters),
          plans.licenceCounts(licence, licenceChange),
          plans.queue(titleId, queue),
        ),
        result: { loan, replayed: false },
      };
    });
  }

  async returnLoan({ patronId, loanId }: { patronId: string; loanId: string }): Promise<Loan> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const loan = await reads.getLoan(loanId);
      if (!loan || loan.patronId !== patronId) throw lendingErrors.loanNotFound(loanId);
      const { licence, firstWaiting, titleWithdrawn } = await reads.slotContext(loan.titleId, loan.licenceId);
      const decision = decideReturn({ loan, loanId, patronId, licence, firstWaiting, now });
      return {
        writes: plans.endLoan(
          decision,
          licence,
          '#status = :active AND patronId = :patron',
          { ':active': 'active', ':patron': patronId },
          now,
          titleWithdrawn,
        ),
        result: decision.loan,
      };
    });
  }

  /** Ends one loan past its end (sweeper, or a checkout meeting it); true when this call ended it. */
  async expireLoan(loanId: string): Promise<boolean> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const loan = await reads.getLoan(loanId);
      if (!loan) return { writes: [], result: false };
      const { licence, firstWaiting, titleWithdrawn } = await reads.slotContext(loan.titleId, loan.licenceId);
      const decision = decideExpiry({ loan, licence, firstWaiting, now });
      if (!decision) return { writes: [], result: false };
      return {
        writes: [
          ...plans.endLoan(
            decision,
            licence,
            '#status = :active AND expiresAt <= :now',
            { ':active': 'active', ':now': now.toISOString() },
            now,
            titleWithdrawn,
          ),
          ...plans.notice(
            {
              id: eventIds.loanEnded(loan.id),
              patronId: loan.patronId,
              kind: 'loan-ended',
              titleId: loan.titleId,
              deadline: loan.expiresAt,
            },
            now,
          ),
        ],
        result: true,
      };
    });
  }

  async renew({
    patronId,
    loanId,
    days,
  }: {
    patronId: string;
    loanId: string;
    days?: LoanDays;
  }): Promise<Loan> {
    const { reads, plans } = this.c;
    return this.c.transact(async () => {
      const now = this.c.clock.now();
      const loan = await reads.getLoan(loanId);
      if (!loan || loan.patronId !== patronId) throw lendingErrors.loanNotFound(loanId);
      const title = await reads.titleLending(loan.titleId);
      const licence = title?.licences.find((l) => l.id === loan.licenceId);
      const decision = decideRenew({
        loan,
        loanId,
        patronId,
        licence,
        queue: title?.queue ?? emptyQueue,
        ...(days ? { days } : {}),
        now,
      });
      const renewed = decision.loan;
      const licenceChange = new Counter().require(
        'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
        {},
        'stale',
      );
      if (decision.usesCheckout)
        licenceChange.add('checkoutsLeft', -1).require('checkoutsLeft > :zero', { ':zero': 0 }, 'stale');
      // The loan moves to the due day of its new end and along its title's running loans.
      const moved = loanEntity.indexAttributes(renewed, [indexes.gsi1, indexes.gsi3]);
      return {
        writes: writes(
          {
            item: {
              Update: {
                TableName: plans.tableName,
                Key: loanEntity.key(loanId),
                UpdateExpression: `SET expiresAt = :expires, #days = :days, renewals = :renewals, ${indexes.gsi1.partitionKey} = :due, ${indexes.gsi1.sortKey} = :dueSort, ${indexes.gsi3.sortKey} = :titleSort`,
                ConditionExpression: '#status = :active AND expiresAt = :current AND expiresAt > :now',
                ExpressionAttributeNames: { '#status': 'status', '#days': 'days' },
                ExpressionAttributeValues: {
                  ':expires': renewed.expiresAt,
                  ':days': renewed.days,
                  ':renewals': renewed.renewals,
                  ':due': moved[indexes.gsi1.partitionKey],
                  ':dueSort': moved[indexes.gsi1.sortKey],
                  ':titleSort': moved[indexes.gsi3.sortKey],
                  ':active': 'active',
                  ':current': loan.expiresAt,
                  ':now': now.toISOString(),
                },
              },
            },
            onConditionFailed: 'stale',
          },
          plans.licenceCounts({ titleId: loan.titleId, id: loan.licenceId }, licenceChange),
          plans.queue(
            loan.titleId,
            new Counter().require('attribute_not_exists(pk) OR waiting = :zero', { ':zero': 0 }, 'stale'),
          ),
        ),
        result: renewed,
      };
    });
  }
}
