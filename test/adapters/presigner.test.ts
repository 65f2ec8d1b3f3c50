import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  createPresigner,
  encodeKeyPath,
  inlineDisposition,
  locateBucket,
  presignUrl,
  type Credentials,
  type HttpMethod,
} from '../../functions/adapters/presigner';

// The examples in AWS's documentation use these keys; they are not real.
const EXAMPLE_KEYS: Credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const MAY_24_2013 = new Date('2013-05-24T00:00:00Z');

/** `@smithy/hash-node` is not a direct dependency, so the reference signer gets SHA-256 from node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** Splits a URL we produced into its parts without normalising the path (S3 keys may contain `.` and `..`). */
function parts(url: string) {
  const q = url.indexOf('?');
  const origin = new URL(url).origin;
  const rawQuery = url.slice(q + 1).split('&');
  // fromEntries defines own properties, so a parameter named `__proto__` survives parsing.
  const query: Record<string, string> = Object.fromEntries(
    rawQuery.map((pair) => {
      const eq = pair.indexOf('=');
      return [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
    }),
  );
  return {
    origin,
    path: url.slice(origin.length, q),
    names: rawQuery.map((p) => p.slice(0, p.indexOf('='))),
    query,
  };
}

/** The AWS rule, written independently of the adapter: encode every segment, keep `/`. */
const expectedKeyPath = (key: string) =>
  key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');

describe('presignUrl', () => {
  it("reproduces AWS's published presigned URL example exactly", () => {
    // Prepare: the example from "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)".
    const expected =
      'https://examplebucket.s3.amazonaws.com/test.txt' +
      '?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z' +
      '&X-Amz-Expires=86400' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404' +
      '&X-Amz-SignedHeaders=host';

    // Act: the example uses the global endpoint, virtual-hosted.
    const url = presignUrl({
      method: 'GET',
      bucket: 'examplebucket',
      key: 'test.txt',
      region: 'us-east-1',
      credentials: EXAMPLE_KEYS,
      expiresIn: 86400,
      now: MAY_24_2013,
      endpoint: 'https://s3.amazonaws.com',
    });

    // Assess
    expect(url).toBe(expected);
  });

  it('signs exactly what @smithy/signature-v4 signs, for thousands of random requests', async () => {
    // Prepare: keys with unicode, spaces, `+`, `~`, `/`, `%`, dots; query values, response overrides, times.
    const awkward = fc.constantFrom(
      '/',
      ' ',
      '+',
      '~',
      '%',
      '!',
      "'",
      '(',
      ')',
      '*',
      '&',
      '=',
      '?',
      '#',
      '.',
      ':',
      '@',
    );
    const char = fc.oneof(
      awkward,
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('ü', 'é', 'ß', '中', '文', '😀', 'ا', '\u00a0', '\u200b'),
    );
    const text = (minLength: number, maxLength: number) => fc.string({ unit: char, minLength, maxLength });
    const reserved = /^(x-amz-|response-content-)/i;
    const cases = fc.record({
      method: fc.constantFrom<HttpMethod>('GET', 'PUT'),
      bucket: fc.constantFrom('pustaka-content', 'examplebucket', 'a1b', 'my.dotted.bucket', 'Upper_Case'),
      key: text(1, 40),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-3', 'us-gov-west-1'),
      endpoint: fc.constantFrom(
        undefined,
        'http://127.0.0.1:4569',
        'http://localhost:4569',
        'https://s3.example.test',
      ),
      forcePathStyle: fc.boolean(),
      sessionToken: fc.option(text(1, 60), { nil: undefined }),
      secret: text(1, 40),
      expiresIn: fc.integer({ min: 1, max: 604800 }),
      now: fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
      contentType: fc.option(text(0, 30), { nil: undefined }),
      disposition: fc.option(text(0, 30), { nil: undefined }),
      query: fc.dictionary(
        // `__proto__` is left out: smithy's signer copies the query into a plain object and drops it, so the
        // two signers would disagree for a reason in the reference, not in ours.
        text(1, 12).filter((name) => !reserved.test(name) && name !== '__proto__'),
        text(0, 20),
        { maxKeys: 3 },
      ),
    });

    // Act + Assess, per case.
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const credentials = {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: c.secret,
          sessionToken: c.sessionToken,
        };
        const ours = presignUrl({
          method: c.method,
          bucket: c.bucket,
          key: c.key,
          region: c.region,
          credentials,
          expiresIn: c.expiresIn,
          now: c.now,
          endpoint: c.endpoint,
          forcePathStyle: c.forcePathStyle,
          responseContentType: c.contentType,
          responseContentDisposition: c.disposition,
          query: c.query,
        });

        // Where the SDK's endpoint rules put the bucket, written out here rather than taken from the adapter.
        const base = new URL(c.endpoint ?? `https://s3.${c.region}.amazonaws.com`);
        const virtual =
          !c.forcePathStyle &&
          base.hostname !== '127.0.0.1' &&
          /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(c.bucket);
        const hostname = virtual ? `${c.bucket}.${base.hostname}` : base.hostname;
        const path = `${virtual ? '' : `/${c.bucket}`}/${expectedKeyPath(c.key)}`;
        const query: Record<string, string> = { ...c.query };
        if (c.contentType !== undefined) query['response-content-type'] = c.contentType;
        if (c.disposition !== undefined) query['response-content-disposition'] = c.disposition;
        const reference = new SignatureV4({
          service: 's3',
          region: c.region,
          credentials,
          sha256: NodeSha256,
          uriEscapePath: false, // S3 paths are encoded once, by the client, and signed as they are.
          applyChecksum: false,
        });
        const noHoist = new Set(['x-amz-content-sha256']);
        const signed = await reference.presign(
          {
            method: c.method,
            protocol: base.protocol,
            hostname,
            port: base.port === '' ? undefined : Number(base.port),
            path,
            query,
            headers: {
              host: base.port === '' ? hostname : `${hostname}:${base.port}`,
              'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
            },
          },
          {
            signingDate: c.now,
            expiresIn: c.expiresIn,
            unhoistableHeaders: noHoist,
            unsignableHeaders: noHoist,
          },
        );

        const got = parts(ours);
        expect(got.origin).toBe(`${base.protocol}//${hostname}${base.port === '' ? '' : `:${base.port}`}`);
        expect(got.path).toBe(signed.path);
        expect(got.query['X-Amz-Signature']).toBe(signed.query?.['X-Amz-Signature']);
        expect(got.query).toEqual({ ...signed.query });
        expect(got.names).toEqual([...got.names].sort()); // listed in canonical (sorted) order
      }),
      { numRuns: 3000 },
    );
  });

  it("produces the very URL the SDK's getSignedUrl produces", async () => {
    // Prepare: a few client set-ups; checksum extras off (the SDK otherwise adds a CRC32 of an empty body to PUT
    // links), and the SDK's own `x-id` and `X-Amz-Content-Sha256` parameters passed through as extra query.
    const setups = [
      { region: 'us-east-1', credentials: EXAMPLE_KEYS },
      { region: 'eu-west-1', credentials: { ...EXAMPLE_KEYS, sessionToken: 'IQoJb3JpZ2luX2Vj/+=token' } },
      { region: 'us-east-1', credentials: EXAMPLE_KEYS, forcePathStyle: true },
      {
        region: 'us-east-1',
        credentials: EXAMPLE_KEYS,
        endpoint: 'http://127.0.0.1:4569',
        forcePathStyle: true,
      },
      { region: 'us-east-1', credentials: EXAMPLE_KEYS, endpoint: 'http://localhost:4569' },
    ];
    const requests = [
      { bucket: 'pustaka-content', key: 'content/01J9ZQ/publication.epub' },
      { bucket: 'pustaka-content', key: "Buku/Laskar Pelangi (edisi 2) – ü+~%!'*.pdf" },
      { bucket: 'my.dotted.bucket', key: '//lead/./../x//y' },
    ];
    const signingDate = new Date('2025-03-09T23:59:59.999Z');

    for (const setup of setups) {
      const s3 = new S3Client({
        ...setup,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      for (const { bucket, key } of requests) {
        const common = {
          bucket,
          key,
          region: setup.region,
          credentials: setup.credentials,
          expiresIn: 300,
          now: signingDate,
          endpoint: setup.endpoint,
          forcePathStyle: setup.forcePathStyle,
        };
        const sdkQuery = (id: string, more: Record<string, string> = {}) => ({
          'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
          'x-id': id,
          ...more,
        });

        // Act
        const sdkGet = await getSignedUrl(
          s3,
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ResponseContentType: 'application/epub+zip',
            ResponseContentDisposition: inlineDisposition('Laskar Pelangi – Andrea Hirata.epub'),
          }),
          { expiresIn: 300, signingDate },
        );
        const ourGet = presignUrl({
          ...common,
          method: 'GET',
          responseContentType: 'application/epub+zip',
          responseContentDisposition: inlineDisposition('Laskar Pelangi – Andrea Hirata.epub'),
          query: sdkQuery('GetObject'),
        });
        const sdkPut = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: 300,
          signingDate,
        });
        const ourPut = presignUrl({ ...common, method: 'PUT', query: sdkQuery('PutObject') });
        const sdkPart = await getSignedUrl(
          s3,
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: 'VXBsb2FkIElE/+=', PartNumber: 7 }),
          { expiresIn: 300, signingDate },
        );
        const ourPart = presignUrl({
          ...common,
          method: 'PUT',
          query: sdkQuery('UploadPart', { partNumber: '7', uploadId: 'VXBsb2FkIElE/+=' }),
        });

        // Assess
        expect(ourGet).toBe(sdkGet);
        expect(ourPut).toBe(sdkPut);
        expect(ourPart).toBe(sdkPart);
      }
    }
  });

  it('refuses lifetimes outside 1 second .. 7 days, an empty key and duplicate parameters', () => {
    // Prepare
    const request = {
      method: 'GET' as const,
      bucket: 'b-1',
      key: 'k',
      region: 'us-east-1',
      credentials: EXAMPLE_KEYS,
      expiresIn: 300,
      now: MAY_24_2013,
    };

    // Act + Assess
    for (const expiresIn of [0, -1, 1.5, 604801, Number.NaN]) {
      expect(() => presignUrl({ ...request, expiresIn })).toThrow(RangeError);
    }
    expect(presignUrl({ ...request, expiresIn: 604800 })).toContain('X-Amz-Expires=604800');
    expect(() => presignUrl({ ...request, key: '' })).toThrow(RangeError);
    expect(() => presignUrl({ ...request, query: { 'X-Amz-Date': '20990101T000000Z' } })).toThrow(
      /given twice/,
    );
    expect(() => presignUrl({ ...request, query: { 'X-Amz-Signature': 'forged' } })).toThrow(RangeError);
  });
});

describe('locateBucket', () => {
  it.each([
    [
      'pustaka-content',
      'us-east-1',
      undefined,
      false,
      'https://pustaka-content.s3.us-east-1.amazonaws.com',
      '',
    ],
    [
      'pustaka-content',
      'us-east-1',
      undefined,
      true,
      'https://s3.us-east-1.amazonaws.com',
      '/pustaka-content',
    ],
    ['my.bucket', 'eu-west-1', undefined, false, 'https://s3.eu-west-1.amazonaws.com', '/my.bucket'],
    [
      'pustaka-content',
      'cn-north-1',
      undefined,
      false,
      'https://pustaka-content.s3.cn-north-1.amazonaws.com.cn',
      '',
    ],
    [
      'pustaka-content',
      'us-east-1',
      'http://127.0.0.1:4569',
      false,
      'http://127.0.0.1:4569',
      '/pustaka-content',
    ],
    [
      'pustaka-content',
      'us-east-1',
      'http://localhost:4569',
      false,
      'http://pustaka-content.localhost:4569',
      '',
    ],
    [
      'pustaka-content',
      'us-east-1',
      'http://localhost:4569/',
      true,
      'http://localhost:4569',
      '/pustaka-content',
    ],
    [
      'pustaka-content',
      'us-east-1',
      'https://s3.example.test:443/',
      true,
      'https://s3.example.test',
      '/pustaka-content',
    ],
  ] as const)(
    'puts %s in %s (endpoint %s, path style %s) at %s%s',
    (bucket, region, endpoint, force, origin, prefix) => {
      // Act
      const location = locateBucket(bucket, region, endpoint, force);

      // Assess
      expect(location.origin).toBe(origin);
      expect(location.host).toBe(new URL(origin).host);
      expect(location.pathPrefix).toBe(prefix);
    },
  );
});

describe('encodeKeyPath and inlineDisposition', () => {
  it('encodes every key segment with RFC 3986 unreserved characters only and keeps the slashes', () => {
    // Act + Assess
    expect(encodeKeyPath("a b/c+d~e!'()*%/ü.txt")).toBe('a%20b/c%2Bd~e%21%27%28%29%2A%25/%C3%BC.txt');
    expect(encodeKeyPath('/./../')).toBe('/./../');
  });

  it('offers a plain ASCII file name, and the UTF-8 name as filename* when it differs', () => {
    // Act + Assess
    expect(inlineDisposition()).toBe('inline');
    expect(inlineDisposition('refman.pdf')).toBe('inline; filename="refman.pdf"');
    expect(inlineDisposition('say "hi"\\.pdf')).toBe(
      `inline; filename="say _hi__.pdf"; filename*=UTF-8''say%20%22hi%22%5C.pdf`,
    );
    expect(inlineDisposition('Bumi Manusia – Pramoedya (1980).epub')).toBe(
      `inline; filename="Bumi Manusia _ Pramoedya (1980).epub"; ` +
        `filename*=UTF-8''Bumi%20Manusia%20%E2%80%93%20Pramoedya%20%281980%29.epub`,
    );
    expect(inlineDisposition('a\r\nb.pdf')).toBe('inline; filename="ab.pdf"');
    expect(inlineDisposition('x\ud800.pdf')).toBe(
      `inline; filename="x_.pdf"; filename*=UTF-8''x%EF%BF%BD.pdf`,
    );
  });
});

describe('createPresigner', () => {
  const options = { bucket: 'pustaka-content', region: 'us-east-1' };

  it('signs a read link with an inline disposition and content type, as presignUrl does', async () => {
    // Prepare
    const signer = createPresigner({ ...options, credentials: { ...EXAMPLE_KEYS, sessionToken: 'tok' } });

    // Act
    const url = await signer.signGet('content/t1/publication.epub', {
      expiresIn: 300,
      now: MAY_24_2013,
      contentType: 'application/epub+zip',
      filename: 'Ronggeng Dukuh Paruk.epub',
    });

    // Assess
    expect(url).toBe(
      presignUrl({
        ...options,
        method: 'GET',
        key: 'content/t1/publication.epub',
        credentials: { ...EXAMPLE_KEYS, sessionToken: 'tok' },
        expiresIn: 300,
        now: MAY_24_2013,
        responseContentType: 'application/epub+zip',
        responseContentDisposition: 'inline; filename="Ronggeng Dukuh Paruk.epub"',
      }),
    );
    const { query } = parts(url);
    expect(query['X-Amz-Security-Token']).toBe('tok');
    expect(query['response-content-disposition']).toBe('inline; filename="Ronggeng Dukuh Paruk.epub"');
  });

  it('signs upload links: a whole object, and a part of a multipart upload', async () => {
    // Prepare
    const signer = createPresigner({ ...options, credentials: EXAMPLE_KEYS, clock: () => MAY_24_2013 });

    // Act
    const put = await signer.signPut('incoming/u1', { expiresIn: 900 });
    const part = await signer.signUploadPart(
      'incoming/u1',
      { uploadId: 'abc/+=', partNumber: 2 },
      { expiresIn: 900 },
    );

    // Assess
    expect(parts(put).query).not.toHaveProperty('response-content-disposition');
    expect(parts(put).query['X-Amz-Date']).toBe('20130524T000000Z');
    expect(parts(part).query).toMatchObject({ partNumber: '2', uploadId: 'abc/+=' });
    expect(part).toBe(
      presignUrl({
        ...options,
        method: 'PUT',
        key: 'incoming/u1',
        credentials: EXAMPLE_KEYS,
        expiresIn: 900,
        now: MAY_24_2013,
        query: { partNumber: '2', uploadId: 'abc/+=' },
      }),
    );
    await expect(
      signer.signUploadPart('incoming/u1', { uploadId: 'abc', partNumber: 10001 }, { expiresIn: 900 }),
    ).rejects.toThrow(RangeError);
    await expect(signer.signPut('incoming/u1', { expiresIn: 0 })).rejects.toThrow(RangeError);
  });

  it('asks the credential provider once, then again only shortly before the credentials expire', async () => {
    // Prepare: temporary credentials valid for one hour, as the SDK's provider chain hands them out.
    let now = new Date('2025-01-01T00:00:00Z');
    let issued = 0;
    const provider = vi.fn(async () => {
      issued += 1;
      return {
        accessKeyId: `ASIA${issued}`,
        secretAccessKey: `secret-${issued}`,
        sessionToken: `token-${issued}`,
        expiration: new Date(now.getTime() + 3600_000),
      };
    });
    const signer = createPresigner({ ...options, credentials: provider, clock: () => now });

    // Act: many links at once, then more links 50 minutes later, then at 56 minutes (inside the 5-minute margin).
    const first = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signer.signGet(`k${i}`, { expiresIn: 300 })),
    );
    now = new Date(now.getTime() + 50 * 60_000);
    const later = await signer.signGet('k', { expiresIn: 300 });
    now = new Date(now.getTime() + 6 * 60_000);
    const refreshed = await signer.signGet('k', { expiresIn: 300 });

    // Assess
    expect(first.every((url) => parts(url).query['X-Amz-Security-Token'] === 'token-1')).toBe(true);
    expect(parts(later).query['X-Amz-Security-Token']).toBe('token-1');
    expect(parts(refreshed).query['X-Amz-Security-Token']).toBe('token-2');
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('passes a provider failure on, and asks again on the next link', async () => {
    // Prepare
    const provider = vi
      .fn<() => Promise<Credentials>>()
      .mockRejectedValueOnce(new Error('could not load credentials'))
      .mockResolvedValue(EXAMPLE_KEYS);
    const signer = createPresigner({ ...options, credentials: provider });

    // Act
    const failed = signer.signGet('k', { expiresIn: 60 });
    await expect(failed).rejects.toThrow('could not load credentials');
    const url = await signer.signGet('k', { expiresIn: 60 });

    // Assess
    expect(parts(url).query['X-Amz-Credential']).toMatch(/^AKIAIOSFODNN7EXAMPLE\//);
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it("uses the S3 client's own credential provider", async () => {
    // Prepare
    const s3 = new S3Client({ region: 'us-east-1', credentials: EXAMPLE_KEYS });
    const signer = createPresigner({ ...options, credentials: s3.config.credentials });

    // Act
    const url = await signer.signGet('k', { expiresIn: 60, now: MAY_24_2013 });

    // Assess
    expect(parts(url).query['X-Amz-Credential']).toBe(
      'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
    );
  });
});
