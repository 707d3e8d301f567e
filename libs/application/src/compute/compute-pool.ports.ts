import type { StatementRecord } from '../statements/statement.ports';

export type PoolIsolation = 'shared' | 'dedicated';

export interface ComputePoolRecord {
  id: string;
  organizationId: string;
  environmentId: string;
  displayName: string;
  maxCfu: number;
  isolation: PoolIsolation;
  defaultPool: boolean;
  phase: 'PROVISIONING' | 'PROVISIONED' | 'FAILED' | 'DEPROVISIONING';
  /** CFUs held or reserved by the pool's unfinished statements */
  currentCfu: number;
  createdAt: Date;
  updatedAt: Date;
  resourceVersion: number;
}

/** Compute pools, always addressed within their organization. */
export abstract class ComputePoolRepository {
  abstract insert(pool: {
    id: string;
    organizationId: string;
    environmentId: string;
    displayName: string;
    maxCfu: number;
    isolation: PoolIsolation;
    defaultPool: boolean;
  }): Promise<ComputePoolRecord>;
  abstract find(organizationId: string, id: string): Promise<ComputePoolRecord | undefined>;
  abstract list(organizationId: string, environmentId?: string): Promise<ComputePoolRecord[]>;
  /** the id of the environment's default pool, created with `maxCfu` the first time it is needed */
  abstract ensureDefault(organizationId: string, environmentId: string, maxCfu: number): Promise<string>;
  abstract update(
    organizationId: string,
    id: string,
    changes: { displayName?: string; maxCfu?: number },
  ): Promise<ComputePoolRecord | undefined>;
  /** deletes a pool none of whose statements is unfinished; 'busy' otherwise */
  abstract deleteIfEmpty(organizationId: string, id: string): Promise<'deleted' | 'busy' | 'missing'>;
}

export type AdmissionVerdict =
  | { admitted: true }
  /** `ahead`: statements waiting before it in the pool's queue */
  | { admitted: false; reason: string; ahead: number };

/**
 * Reserves a statement's CFUs in its pool before it starts, in submission order, atomically across
 * scheduler replicas (DESIGN §5 admission).
 */
export abstract class PoolAdmission {
  abstract admit(statement: StatementRecord, requestedCfu: number): Promise<AdmissionVerdict>;
  /** CFUs the statement's pool has free beyond what the statement already holds */
  abstract freeCfu(statement: StatementRecord): Promise<number>;
}
