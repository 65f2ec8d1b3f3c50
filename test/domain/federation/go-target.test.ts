import { describe, expect, it } from 'vitest';
import { checkGoTargetAgainst } from '../../../functions/domain/go-target';
import type { DatabaseResource } from '../../../functions/domain/partner';

const databases: DatabaseResource[] = [
  { name: 'Licensed journals', domain: 'lic.com', startUrl: 'https://www.lic.com/' },
  { name: 'Statistics portal', host: 'stats.example.org', startUrl: 'https://stats.example.org/start' },
  // An IDN the librarian allow-listed exactly (stored as punycode).
  { name: 'Bibliothèque', host: 'xn--bibliothque-59a.fr', startUrl: 'https://xn--bibliothque-59a.fr/' },
];

describe('the /go target check', () => {
  it.each([
    ['https://lic.com/', 'https://lic.com/'],
    ['https://lic.com/search?q=a%20b', 'https://lic.com/search?q=a%20b'],
    ['https://www.lic.com/journal/1', 'https://www.lic.com/journal/1'],
    ['https://deep.sub.lic.com/x#frag', 'https://deep.sub.lic.com/x#frag'],
    ['https://LIC.com/', 'https://lic.com/'],
    ['https://stats.example.org/start', 'https://stats.example.org/start'],
    ['https://bibliothèque.fr/cat', 'https://xn--bibliothque-59a.fr/cat'],
  ])('allows %s', (raw, expected) => {
    // Act
    const verdict = checkGoTargetAgainst(raw, databases);
    // Assess
    expect(verdict).toMatchObject({ ok: true, url: expected });
  });

  it.each([
    ['protocol-relative', '//evil.com'],
    ['credentials before the host', 'https://lic.com@evil.com'],
    ['credentials with password', 'https://lic.com:pw@evil.com/'],
    ['allowed name as a prefix', 'https://lic.com.evil.com'],
    ['no dot boundary', 'https://evillic.com/'],
    ['backslash after the scheme', 'https:/\\evil.com'],
    ['backslashes', 'https:\\\\evil.com'],
    ['backslash in the path', 'https://lic.com\\@evil.com'],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with https in it', 'javascript://lic.com/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['percent-encoded slash', 'https://lic.com%2f@evil.com'],
    ['percent-encoded slash in the path', 'https://lic.com/..%2F..%2Fx'],
    ['percent-encoded backslash', 'https://lic.com/%5cevil.com'],
    ['double-encoded slash', 'https://lic.com/%252f%252fevil.com'],
    ['CRLF', 'https://lic.com/\r\nSet-Cookie: a=b'],
    ['encoded CRLF', 'https://lic.com/%0d%0aSet-Cookie:%20a=b'],
    ['tab', 'https://lic.com\t.evil.com/'],
    ['space', ' https://lic.com/'],
    ['metadata address over http', 'http://169.254.169.254/latest/meta-data/'],
    ['metadata address over https', 'https://169.254.169.254/'],
    ['hex IPv4', 'https://0xa9.0xfe.0xa9.0xfe/'],
    ['decimal IPv4', 'https://2852039166/'],
    ['IPv6 literal', 'https://[::1]/'],
    ['plain http of an allowed host', 'http://lic.com/'],
    ['a port', 'https://lic.com:8443/'],
    ['Cyrillic look-alike', 'https://lіc.com/'],
    ['punycode of the look-alike', 'https://xn--lc-hoc.com/'],
    ['full-width look-alike', 'https://ｌｉｃ.com/'],
    ['IDN subdomain spelled in Unicode', 'https://ünï.lic.com/'],
    ['a host that is not allowed', 'https://evil.com/'],
    ['exact host does not allow its subdomains', 'https://x.stats.example.org/'],
    ['trailing dot', 'https://lic.com./'],
    ['empty', ''],
    ['relative path', '/admin'],
    ['scheme only', 'https://'],
    ['zero-width space', 'https://lic.com\u200b.evil.com/'],
  ])('refuses %s', (_case, raw) => {
    // Act
    const verdict = checkGoTargetAgainst(raw, databases);
    // Assess
    expect(verdict.ok).toBe(false);
  });

  it('refuses everything when nothing is allow-listed', () => {
    expect(checkGoTargetAgainst('https://lic.com/', []).ok).toBe(false);
  });
});
