import type { AccessLink } from '../api/types';
import type { StoredLink } from './offline';

/**
 * Byte ranges of one publication, read from its signed link, shared by both reading engines. When the store
 * refuses a range (the link expired mid-book: 403, or 400/401 from some stores), a fresh link is asked for once
 * (shared by every range in flight) and the range retried, so reading goes on. `freshLink` throws NoAccessError
 * when access has ended; that error reaches the caller.
 *
 * A store that ignores `Range` (answers 200 with the whole file) is handled once: the whole file is kept and
 * every later range is cut from it, so the book still opens, at the cost of the full download.
 */
export class SignedLinkRangeSource {
  private link: AccessLink;
  private renewing: Promise<AccessLink> | undefined;
  private whole: Promise<Uint8Array> | undefined;
  bytesFetched = 0;
  requests = 0;
  linkRenewals = 0;
  /** Set once the store answered a range request with the whole file. */
  rangeIgnored = false;
  /** Told after each response, e.g. to show how much has been fetched. */
  onProgress: ((bytesFetched: number) => void) | undefined;

  constructor(
    readonly length: number,
    link: AccessLink,
    private readonly freshLink: () => Promise<AccessLink>,
  ) {
    this.link = link;
  }

  /** The bytes [begin, end) of the file; `whole` asks for the whole file at once (and keeps it). */
  async read(begin: number, end: number, options: { whole?: boolean } = {}): Promise<Uint8Array> {
    const from = Math.max(0, begin);
    const to = Math.min(end, this.length);
    if (to <= from) return new Uint8Array(0);
    // A book kept on the device (web/src/readers/offline.ts): every range is cut from the copy, no request.
    const copy = (this.link as Partial<StoredLink>).copy;
    if (copy) return new Uint8Array(await copy.slice(from, to).arrayBuffer());
    if (this.whole) return (await this.whole).subarray(from, to);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const link = this.link;
      let response: Response;
      try {
        // Not kept in the HTTP cache: a licensed book should not outlive its loan on the device.
        response = await fetch(link.url, {
          headers: options.whole ? {} : { Range: `bytes=${from}-${to - 1}` },
          cache: 'no-store',
        });
      } catch (error) {
        // A network blip: try again shortly.
        if (attempt === 2) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * (attempt + 1)));
        continue;
      }
      this.requests += 1;
      if (response.status === 403 || response.status === 401 || response.status === 400) {
        await response.body?.cancel();
        await this.renew(link);
        continue;
      }
      if (response.status === 200) {
        // The whole file came (Range ignored): keep it, and cut every range from it from now on.
        if (!options.whole) this.rangeIgnored = true;
        this.whole ??= response.arrayBuffer().then((buffer) => {
          this.bytesFetched += buffer.byteLength;
          this.onProgress?.(this.bytesFetched);
          return new Uint8Array(buffer);
        });
        return (await this.whole).subarray(from, to);
      }
      if (response.status !== 206) {
        await response.body?.cancel();
        throw new Error(`range ${from}-${to}: ${response.status}`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.bytesFetched += bytes.byteLength;
      this.onProgress?.(this.bytesFetched);
      return bytes;
    }
    throw new Error(`range ${from}-${to}: refused after fresh links`);
  }

  private async renew(stale: AccessLink): Promise<AccessLink> {
    if (this.link !== stale) return this.link;
    this.renewing ??= this.freshLink()
      .then((link) => {
        this.link = link;
        this.linkRenewals += 1;
        return link;
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }
}
