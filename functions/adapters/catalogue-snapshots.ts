import { promisify } from 'node:util';
import { constants, zstdCompress, zstdDecompress } from 'node:zlib';
import type { ContentLinkSigner } from '../domain/content-links';

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);
import type { CatalogueSnapshotStore } from '../domain/ports';

/**
 * Catalogue index snapshots in the content bucket, reached through the same SigV4 links as the books (a GET
 * to load, a PUT to store): the API bundle stays without the S3 client, and one code path serves AWS and the
 * S3 emulator. The links are made here and used at once, never handed out.
 *
 * Stored zstd-compressed: the titles' records are most of a snapshot and shrink several times, so the GET
 * of a cold start moves a fraction of the bytes, and zstd decompresses faster than the network delivers.
 */
export function s3CatalogueSnapshots(
  links: ContentLinkSigner,
  options: { timeoutMs: number; fetch?: typeof fetch } = { timeoutMs: 10_000 },
): CatalogueSnapshotStore {
  const send = options.fetch ?? fetch;
  return {
    async get(key) {
      const url = await links.signGet(key, { expiresIn: 60 });
      const response = await send(url, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`catalogue snapshot ${key}: HTTP ${response.status}`);
      }
      const decompressed = await decompress(new Uint8Array(await response.arrayBuffer()));
      return new Uint8Array(decompressed.buffer, decompressed.byteOffset, decompressed.byteLength);
    },
    async put(key, bytes) {
      const compressed = await compress(bytes, { params: { [constants.ZSTD_c_compressionLevel]: 3 } });
      const url = await links.signPut(key, { expiresIn: 300 });
      const response = await send(url, {
        method: 'PUT',
        body: new Blob([compressed as Uint8Array<ArrayBuffer>]),
        headers: { 'content-type': 'application/octet-stream' },
        signal: AbortSignal.timeout(options.timeoutMs * 6),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`catalogue snapshot ${key}: HTTP ${response.status} on store`);
    },
  };
}
