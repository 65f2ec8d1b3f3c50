/**
 * The paths API Gateway sends to the partner API (infra/constructs/library-http-api.ts), as HTTP API route paths:
 * every route of the partner API (partner-api.ts) is under one of them, and no other route is
 * (test/infra/library-http-api.test.ts holds the contract's operations to it). Constants only: infra/ imports
 * this module and must not pull in the routes' runtime dependencies.
 */
export const partnerApiPaths = ['/auth/federated', '/auth/oidc/{proxy+}', '/sushi/{proxy+}'] as const;
