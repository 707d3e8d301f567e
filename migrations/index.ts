import { TenancyFoundation1763800000000 } from './1763800000000-tenancy-foundation';

/** Every migration, in order. Listed explicitly so compiled and ts runs load the same set. */
export const MIGRATIONS = [TenancyFoundation1763800000000];
