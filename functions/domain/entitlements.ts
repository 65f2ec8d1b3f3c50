import type { EntitlementRule, Partner } from './partner';

/**
 * Claims of a verified member token → the gateway's entitlements, by the partner's rules only. Nothing is
 * granted by accident: values are compared whole and exactly, a multi-valued claim sent as a bare string
 * counts only when the rule says so, and scopes are compared for equality (never as a suffix).
 */

function valuesOf(claim: unknown, shape: EntitlementRule['shape']): string[] {
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string');
  if (typeof claim === 'string' && shape === 'array-or-string') return [claim];
  return [];
}

function ruleMatches(rule: EntitlementRule, claims: Record<string, unknown>): boolean {
  if (!Object.hasOwn(claims, rule.claim)) return false;
  const values = valuesOf(claims[rule.claim], rule.shape ?? 'array');
  if (rule.kind === 'values') return values.some((v) => rule.values.includes(v));
  return values.some((value) => {
    const at = value.indexOf('@');
    // Exactly one `@`: `member@a@partner.edu` is not a scoped value.
    if (at <= 0 || at !== value.lastIndexOf('@')) return false;
    const affiliation = value.slice(0, at);
    const scope = value.slice(at + 1);
    return rule.affiliations.includes(affiliation) && rule.scopes.includes(scope);
  });
}

export function entitlementsFromClaims(
  partner: Pick<Partner, 'entitlementRules'>,
  claims: Record<string, unknown>,
): string[] {
  const granted = new Set<string>();
  for (const rule of partner.entitlementRules) {
    if (ruleMatches(rule, claims)) granted.add(rule.entitlement);
  }
  return [...granted].sort();
}

/** Whether any of the entitlements opens the title (by id or by one of its collections). */
export function entitlementOpens(
  partner: Pick<Partner, 'grants'>,
  entitlements: readonly string[],
  title: { id: string; collections: readonly string[] },
): boolean {
  return partner.grants.some(
    (grant) =>
      entitlements.includes(grant.entitlement) &&
      (grant.titles.includes(title.id) || grant.collections.some((c) => title.collections.includes(c))),
  );
}
