/**
 * Placeholder scheduled sweeper entry point so the CDK stack can bundle on the `cdk` branch.
 * The real sweeper (return expired loans, lapse reservations, advance queues) replaces this file on merge.
 */
export const handler = async (): Promise<{ swept: number }> => ({ swept: 0 });
