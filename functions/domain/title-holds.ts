import type { LendingRepository } from './lending-ports';
import { summarisePool } from './licence';
import type { TitleRepository } from './ports';
import type { Title } from './title';

/** Every title of the catalogue, withdrawn ones included, a page of 100 at a time (a library's thousands). */
export async function everyTitle(titles: Pick<TitleRepository, 'list'>): Promise<Title[]> {
  const found: Title[] = [];
  let cursor: string | undefined;
  do {
    const page = await titles.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    found.push(...page.data);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return found;
}

/** Title lending reads run this many at a time (one query of each licensed title's partition). */
const lendingReadsAtOnce = 8;

/** A licensed title's waiting holds (suspended ones too: they still want the book) and its lendable copies. */
export interface HoldsAndCopies {
  holds: number;
  /** null: no limit on concurrent copies (summarisePool). */
  copies: number | null;
}

/**
 * The waiting holds and lendable copies (from its licences usable at `now`) of each active licensed title, by title
 * id: the dashboard's holds per copy and the acquisition list's ratio. A title without lending state is left out.
 */
export async function holdsAndCopies(
  lending: Pick<LendingRepository, 'titleLending'>,
  titles: readonly Title[],
  now: Date,
): Promise<Map<string, HoldsAndCopies>> {
  const licensed = titles.filter((t) => t.access === 'licensed' && t.status === 'active');
  const found = new Map<string, HoldsAndCopies>();
  for (let i = 0; i < licensed.length; i += lendingReadsAtOnce) {
    const batch = licensed.slice(i, i + lendingReadsAtOnce);
    for (const state of await Promise.all(batch.map((t) => lending.titleLending(t.id)))) {
      if (!state) continue;
      found.set(state.titleId, {
        holds: state.queue.waiting,
        copies: summarisePool(state.licences, now).copies,
      });
    }
  }
  return found;
}
