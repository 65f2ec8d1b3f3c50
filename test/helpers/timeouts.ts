/**
 * Limits for test deployments. Dozens of test files share one DynamoDB Local (and browser tests their
 * gateways) on a busy machine, where a burst of requests can queue for many seconds; the production limits
 * (a quick 503 when a store does not answer) would turn that into failures of unrelated tests.
 * test/http/unavailable.test.ts checks the default limits themselves.
 */
export const generousTimeouts = {
  REQUEST_DEADLINE_MS: '28000',
  ADMIN_REQUEST_DEADLINE_MS: '28000',
  DEPENDENCY_REQUEST_TIMEOUT_MS: '25000',
} as const;
