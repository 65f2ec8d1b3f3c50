import { CatalogueIndex } from '../domain/catalogue';
import { outsideDeadline } from '../domain/deadline';
import type { CatalogueMarker, CatalogueSnapshotStore, CatalogueSource, Clock } from '../domain/ports';
import { catalogueSnapshotKeys } from './keys';

export interface CatalogueIndexOptions {
  /** How often a warm process asks whether the catalogue changed (one GetItem), ms. */
  checkEveryMs?: number;
  /**
   * Without snapshots: rebuild after this long even if the marker did not move (a safety net for writers that
   * forget it), ms. With snapshots the marker is read anyway and names the snapshot.
   */
  maxAgeMs?: number;
  /** Prebuilt index snapshots (see `refreshCatalogueSnapshot`); without them every process builds its own. */
  snapshots?: CatalogueSnapshotStore;
  /** More changed titles than this on top of a snapshot and the index is built from the table instead. */
  maxChanged?: number;
  warn?: (message: string, details: Record<string, unknown>) => void;
}

/**
 * Holds the catalogue index for one process (one Lambda container, or the local gateway).
 *
 * - Cold start: one GetItem of the catalogue marker names the current snapshot (built off the request path by
 *   the sweeper, stored in S3) and the titles changed since it; the process loads the snapshot (one GET) and
 *   reads those few titles by key (BatchGetItem), then answers from both. No read of the whole table.
 * - Warm: at most every `checkEveryMs` a search reads the marker again; when the version moved, the changed
 *   titles are read again and laid over the snapshot (or a newer snapshot is loaded, when there is one).
 *   Searches in between use the index in memory and cost no reads.
 * - Falling back safely: with no snapshot yet (a new stack, before the first sweep), one that cannot be read
 *   or decoded, or more than `maxChanged` changes on top of it (the sweeper has stopped), the index is built
 *   from the table as before (one paged query: seconds at 100k titles), and a warning is logged.
 * - Concurrent searches share one load; while a refresh runs, the others answer from the previous index; a
 *   failed refresh keeps the old index and is retried on the next check.
 */
export class CatalogueIndexHolder {
  private index: CatalogueIndex | undefined;
  /** The snapshot the index stands on, reused while the marker names it. */
  private base: { key: string; index: CatalogueIndex } | undefined;
  private building: Promise<CatalogueIndex> | undefined;
  private checkedAt = 0;
  private builtAt = 0;
  private readonly checkEveryMs: number;
  private readonly maxAgeMs: number;
  private readonly maxChanged: number;

  constructor(
    private readonly source: CatalogueSource,
    private readonly clock: Clock,
    private readonly options: CatalogueIndexOptions = {},
  ) {
    this.checkEveryMs = options.checkEveryMs ?? 5_000;
    this.maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.maxChanged = options.maxChanged ?? 2_000;
  }

  async current(): Promise<CatalogueIndex> {
    const now = this.clock.now().getTime();
    if (!this.index) return this.rebuild();
    if (!this.options.snapshots && now - this.builtAt >= this.maxAgeMs) {
      void this.rebuild().catch(() => {});
      return this.index;
    }
    if (now - this.checkedAt >= this.checkEveryMs && !this.building) {
      this.checkedAt = now;
      const marker = await this.source.catalogueMarker();
      if (marker.version !== this.index.version) return this.rebuild(marker);
    }
    return this.index;
  }

  /** Forces a refresh (e.g. right after a write in the same process). */
  rebuild(known?: CatalogueMarker): Promise<CatalogueIndex> {
    // Shared by every search that waits for it (and sometimes started in the background), so not bounded by
    // the deadline of the request that happened to start it: a slow build still finishes for the next one.
    this.building ??= outsideDeadline(async () => {
      try {
        const started = this.clock.now().getTime();
        // The marker first: a write landing during the load moves it again and triggers another refresh.
        const marker = known ?? (await this.source.catalogueMarker());
        const index = (await this.fromSnapshot(marker)) ?? (await this.fromTable(marker.version));
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

  private async fromSnapshot(marker: CatalogueMarker): Promise<CatalogueIndex | undefined> {
    const { snapshots } = this.options;
    if (!snapshots || !marker.snapshot) return undefined;
    if (marker.changed.length > this.maxChanged) {
      this.options.warn?.('catalogue snapshot is far behind: building the index from the table', {
        snapshot: marker.snapshot,
        changed: marker.changed.length,
      });
      return undefined;
    }
    try {
      const { key } = marker.snapshot;
      const base =
        this.base?.key === key ? this.base.index : CatalogueIndex.fromSnapshot(await snapshots.get(key));
      this.base = { key, index: base };
      if (marker.version === base.version && marker.changed.length === 0) return base;
      const changed = marker.changed.length > 0 ? await this.source.getMany(marker.changed) : [];
      // Ids that no longer exist (never, in practice: titles are withdrawn, not deleted) leave the index too.
      const found = new Set(changed.map((title) => title.id));
      const gone = marker.changed.filter((id) => !found.has(id));
      return base.withChanges(changed, marker.version, gone);
    } catch (error) {
      this.options.warn?.('catalogue snapshot unusable: building the index from the table', {
        snapshot: marker.snapshot,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  private async fromTable(version: number): Promise<CatalogueIndex> {
    const titles = await this.source.all();
    return new CatalogueIndex(titles, version);
  }
}

/**
 * Off the request path (each sweep, and in local mode on the sweeper's timer): when the catalogue version moved
 * past the current snapshot, builds the index from the table, stores it under a new key and names it in the
 * marker. Returns the new snapshot, or undefined when the current one is up to date.
 */
export async function refreshCatalogueSnapshot(deps: {
  source: CatalogueSource;
  snapshots: CatalogueSnapshotStore;
  clock: Clock;
  /** Rebuilt when older than this even if the catalogue did not move (old ones expire from the bucket). */
  maxAgeMs?: number;
}): Promise<{ key: string; version: number; titles: number; bytes: number } | undefined> {
  const marker = await deps.source.catalogueMarker();
  const now = deps.clock.now();
  const builtAt = marker.snapshot ? catalogueSnapshotKeys.builtAt(marker.snapshot.key) : undefined;
  const fresh =
    builtAt !== undefined && now.getTime() - builtAt.getTime() < (deps.maxAgeMs ?? 7 * 86_400_000);
  if (marker.snapshot && marker.snapshot.version >= marker.version && fresh) return undefined;
  const titles = await deps.source.all();
  const index = new CatalogueIndex(titles, marker.version);
  const bytes = index.toSnapshot();
  const key = catalogueSnapshotKeys.snapshot(marker.version, now);
  await deps.snapshots.put(key, bytes);
  await deps.source.recordSnapshot({ key, version: marker.version }, marker.changed);
  return { key, version: marker.version, titles: index.size, bytes: bytes.byteLength };
}
