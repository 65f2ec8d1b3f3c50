/**
 * Where the domain's new ids come from (uploads, titles, patrons): injected, so the domain calls no random
 * source of its own. Random UUIDs on AWS and locally (functions/adapters/ids.ts); a counted sequence in tests
 * (test/helpers/ids.ts).
 */
export interface IdSource {
  /** A new UUID, lower-case hex with dashes (RFC 9562); ids are built from it, e.g. `u-` and its 32 digits. */
  uuid(): string;
}
