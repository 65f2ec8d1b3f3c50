import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SuspensionDays } from '../../domain/hold';
import type { TitleLending } from '../../domain/lending';
import type { CheckoutRequest, LendingRepository } from '../../domain/lending-ports';
import type { Licence } from '../../domain/licence';
import type { LoanDays } from '../../domain/loan';
import type { Clock } from '../../domain/ports';
import { DynamoNotificationRepository } from '../notification-repository';
import { defaultRetryPolicy, runTransaction, type RetryPolicy } from '../transactions';
import type { LendingContext } from './context';
import { DueDays } from './due-days';
import { HoldFamily } from './holds';
import { LicenceFamily } from './licences';
import { LoanFamily } from './loans';
import { LendingPlans } from './plans';
import { LendingReads } from './reads';
import { Sweep } from './sweep';

/**
 * Lending on the single table, behind the `LendingRepository` port. Every change is one TransactWriteItems
 * built from a pure decision (functions/domain/lending.ts); see ../transactions.ts for how failures become
 * refusals, fresh decisions or 503. This class only wires the parts:
 * - ./reads.ts: a title's lending snapshot, a patron's loans and holds, a title's queue;
 * - ./plans.ts: the pure write-plan builder (put-if-absent, counters and slots, ending a loan or hold);
 * - ./licences.ts, ./loans.ts, ./holds.ts, ./sweep.ts: one module per transaction family;
 * - ./due-days.ts: the walk along the due partitions, shared by the sweep and withdrawn titles.
 *
 * Items (kinds in ../entities.ts, keys in ../keys.ts): licences and the hold queue live in the title's
 * partition, so one consistent query reads a title's whole lending state; counters and "one per title" markers
 * live in the patron's partition; loans and holds are items of their own, listed per patron on gsi2 and,
 * while they can fall due, on gsi1 under the day they fall due (waiting holds sit on gsi1 in their title's
 * queue instead).
 */
export class DynamoLendingRepository implements LendingRepository {
  private readonly reads: LendingReads;
  private readonly licences: LicenceFamily;
  private readonly loans: LoanFamily;
  private readonly holds: HoldFamily;
  private readonly sweeper: Sweep;

  constructor(
    documents: DynamoDBDocumentClient,
    tableName: string,
    clock: Clock,
    retry: RetryPolicy = defaultRetryPolicy,
  ) {
    // Builds the notification (outbox) writes that go into the lending transactions.
    const notices = new DynamoNotificationRepository(documents, tableName, clock);
    this.reads = new LendingReads(documents, tableName, clock);
    const context: LendingContext = {
      documents,
      tableName,
      clock,
      reads: this.reads,
      plans: new LendingPlans(tableName, (event, now) => notices.eventWrites(event, now)),
      transact: (attempt) =>
        runTransaction(
          (items) => documents.send(new TransactWriteCommand({ TransactItems: items })),
          attempt,
          retry,
        ),
    };
    const due = new DueDays(documents, tableName);
    this.licences = new LicenceFamily(context);
    this.holds = new HoldFamily(context, this.licences, due);
    this.loans = new LoanFamily(context, () => this.holds);
    this.sweeper = new Sweep(clock, due, this.loans, this.holds);
  }

  // ---- reads -------------------------------------------------------------------------------------
  titleLending = (titleId: string): Promise<TitleLending | undefined> => this.reads.titleLending(titleId);
  activeLoanOf = (patronId: string, titleId: string) => this.reads.activeLoanOf(patronId, titleId);
  loanOf = (patronId: string, loanId: string) => this.reads.loanOf(patronId, loanId);
  loansOf = (patronId: string) => this.reads.loansOf(patronId);
  holdsOf = (patronId: string) => this.reads.holdsOf(patronId);

  // ---- licences ----------------------------------------------------------------------------------
  addLicence = (licence: Licence) => this.licences.addLicence(licence);
  setLicenceActive = (request: { titleId: string; licenceId: string; active: boolean }) =>
    this.licences.setLicenceActive(request);
  advanceQueue = (titleId: string) => this.licences.advanceQueue(titleId);

  // ---- loans -------------------------------------------------------------------------------------
  checkout = (request: CheckoutRequest) => this.loans.checkout(request);
  returnLoan = (request: { patronId: string; loanId: string }) => this.loans.returnLoan(request);
  expireLoan = (loanId: string) => this.loans.expireLoan(loanId);
  renew = (request: { patronId: string; loanId: string; days?: LoanDays }) => this.loans.renew(request);

  // ---- holds -------------------------------------------------------------------------------------
  placeHold = (request: { patronId: string; titleId: string }) => this.holds.placeHold(request);
  cancelHold = (request: { patronId: string; holdId: string }) => this.holds.cancelHold(request);
  suspendHold = (request: { patronId: string; holdId: string; days: SuspensionDays }) =>
    this.holds.suspendHold(request);
  resumeHold = (request: { patronId: string; holdId: string }) => this.holds.resumeHold(request);
  endSuspension = (holdId: string) => this.holds.endSuspension(holdId);
  lapseHold = (holdId: string) => this.holds.lapseHold(holdId);
  endHoldsOfWithdrawnTitle = (titleId: string) => this.holds.endHoldsOfWithdrawnTitle(titleId);

  // ---- the sweep ---------------------------------------------------------------------------------
  sweep = () => this.sweeper.sweep();
}
