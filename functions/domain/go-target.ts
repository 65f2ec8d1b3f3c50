import ipaddr from 'ipaddr.js';
import type { DatabaseResource } from './partner';

/**
 * The `/go?url=` target check: an open redirect is the classic hole of a link gateway, so a target is allowed
 * only when every way a browser might read it lands on an allow-listed partner database.
 *
 * Allowed: `https://` + a host that equals an allow-listed `host`, or equals / is a subdomain on a dot boundary
 * of an allow-listed `domain` (`lic.com` allows `www.lic.com`, never `lic.com.evil.com` or `evillic.com`).
 * Refused before parsing, on the raw text: anything not starting with `https://` (`//evil.com`, `https:/\evil`,
 * `javascript:`, `data:`, `http:`), backslashes, whitespace and control characters (CR/LF), percent-encoded
 * slashes, backslashes and control characters (also double-encoded), credentials (`@` in the authority), ports.
 * Refused after parsing: IP literals in any notation (`http://169.254.169.254`, `https://0x7f.1`, `[::1]`),
 * and non-ASCII host names unless the punycode form equals an allow-listed IDN host exactly (look-alikes such as
 * a Cyrillic `і` in `lіc.com` become `xn--…` and never equal `lic.com`; full-width `ｌｉｃ.com` is refused too).
 */

export type GoVerdict = { ok: true; url: string; database: DatabaseResource } | { ok: false; reason: string };

export const maxGoUrlLength = 2048;

const no = (reason: string): GoVerdict => ({ ok: false, reason });

// Encoded `/`, `\`, `%` (double encoding), C0 controls and DEL: none belongs in a database link.
const encodedDanger = /%(?:2f|5c|25|[01][0-9a-f]|7f)/i;
// eslint-disable-next-line no-control-regex
const rawDanger = /[\u0000-\u0020\u007f-\u009f\\\u2028\u2029\u200b-\u200f\ufeff]/u;

function allowedBy(hostname: string, rawHostIsAscii: boolean, database: DatabaseResource): boolean {
  if (!rawHostIsAscii) {
    // Only an IDN the librarian allow-listed exactly, never a subdomain match on a non-ASCII spelling.
    return database.host === hostname && hostname.split('.').some((label) => label.startsWith('xn--'));
  }
  if (database.host !== undefined && hostname === database.host) return true;
  if (database.domain !== undefined) {
    return hostname === database.domain || hostname.endsWith(`.${database.domain}`);
  }
  return false;
}

/** Checks a raw `/go` target against the allow-listed databases; the verdict carries the URL to redirect to. */
export function checkGoTargetAgainst(raw: string, databases: readonly DatabaseResource[]): GoVerdict {
  if (raw.length === 0) return no('The target URL is empty.');
  if (raw.length > maxGoUrlLength) return no('The target URL is too long.');
  if (rawDanger.test(raw))
    return no('The target URL contains whitespace, control characters or backslashes.');
  if (encodedDanger.test(raw))
    return no('The target URL contains percent-encoded slashes or control characters.');
  if (!raw.toLowerCase().startsWith('https://')) return no('The target URL must start with https://.');

  const authority = raw.slice('https://'.length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.length === 0) return no('The target URL has no host.');
  if (authority.includes('@')) return no('The target URL must not carry credentials.');
  if (authority.includes(':') || authority.startsWith('['))
    return no('The target URL must not name a port or an IP address.');
  const rawHostIsAscii = /^[\x21-\x7e]+$/.test(authority);

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return no('The target URL does not parse.');
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) {
    return no('The target URL must be plain https without credentials or a port.');
  }
  const hostname = url.hostname;
  if (hostname.startsWith('[') || ipaddr.isValid(hostname)) return no('The target URL names an IP address.');
  if (hostname.endsWith('.') || !hostname.includes('.'))
    return no('The target host is not a full domain name.');

  const database = databases.find((d) => allowedBy(hostname, rawHostIsAscii, d));
  if (!database) return no(`${hostname} is not an allow-listed partner database.`);
  return { ok: true, url: url.href, database };
}
