import { CatalogueIndex } from '../domain/catalogue';
import { outsideDeadline } from '../domain/deadline';
import type { CatalogueSource, Clock } from '../domain/ports';

export interface CatalogueIndexOptions {
  /** How often a warm process asks whether the catalogue changed (one GetItem), ms. */
  checkEveryMs?: number;
  /** Rebuild after this long even if the marker did not move (a safety net for writers that forget it), ms. */
  maxAgeMs?: number;
}

/**
 * Holds the catalogue index for one process (one Lambda container, or the local gateway).
 *
 * - Cold start: the first search loads every title (one paged gsi1 query) and builds the index; concurrent
 *   first requests share that one build.
 * - Warm: at most every `checkEveryMs` a search reads the catalogue version marker (see `catalogueKeys`); when
 *   the version moved, the index is rebuilt. Searches in between use the index in memory and cost no reads.
 * - While a rebuild runs, other searches keep answering from the previous index (stale by seconds at most).
 * - A failed rebuild keeps the old index and is retried on the next check.
 *
 * At 100k titles the index takes a few seconds to build and ~100 MB; beyond that the next step is a prebuilt
 * index (MiniSearch JSON) written to S3 by the writer and loaded by the readers.
 */
export class CatalogueIndexHolder {
  private index: CatalogueIndex | undefined;
  private building: Promise<CatalogueIndex> | undefined;
  private checkedAt = 0;
  private builtAt = 0;
  private readonly checkEveryMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly source: CatalogueSource,
    private readonly clock: Clock,
    options: CatalogueIndexOptions = {},
  ) {
    this.checkEveryMs = options.checkEveryMs ?? 5_000;
    this.maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
  }

  async current(): Promise<CatalogueIndex> {
    const now = this.clock.now().getTime();
    if (!this.index) return this.rebuild();
    if (now - this.builtAt >= this.maxAgeMs) {
      void this.rebuild().catch(() => {});
      return this.index;
    }
    if (now - this.checkedAt >= this.checkEveryMs && !this.building) {
      this.checkedAt = now;
      const version = await this.source.catalogueVersion();
      if (version !== this.index.version) return this.rebuild();
    }
    return this.index;
  }

  /** Forces a rebuild (e.g. right after a write in the same process). */
  rebuild(): Promise<CatalogueIndex> {
    // Shared by every search that waits for it (and sometimes started in the background), so not bounded by
    // the deadline of the request that happened to start it: a slow build still finishes for the next one.
    this.building ??= outsideDeadline(async () => {
      try {
        const started = this.clock.now().getTime();
        // Read the version first: a write landing during the load bumps it again and triggers another build.
        const version = await this.source.catalogueVersion();
        const titles = await this.source.all();
        const index = new CatalogueIndex(titles, version);
        this.index = index;
        this.builtAt = started;
        this.checkedAt = started;
        return index;
      } finally {
        this.building = undefined;
      }
    });
    return this.building;
  }
}
