import { RiffleError } from '@riffle/domain';
import { newResourceId } from '../identity/credentials';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import type { ComputePoolRecord, ComputePoolRepository, PoolIsolation } from './compute-pool.ports';

export const poolNotFound = (id: string) =>
  new RiffleError('COMPUTE_POOL_NOT_FOUND', 'not_found', `No compute pool "${id}" in this environment.`);

const invalid = (message: string) => new RiffleError('INVALID_FIELD', 'invalid', message);

function maxCfu(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10_000)
    throw invalid('spec.max_cfu must be a whole number of CFUs from 1 to 10000.');
  return value;
}

function displayName(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 128)
    throw invalid('spec.display_name must be 1-128 characters.');
  return value;
}

export interface ComputePoolLimits {
  maxPoolsPerEnvironment: number;
}

/** /fcpm/v2/compute-pools: a tenant's CFU budgets per environment. */
export class ComputePools {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly pools: ComputePoolRepository,
    private readonly limits: ComputePoolLimits,
  ) {}

  async create(
    principal: Principal,
    body: {
      spec?: {
        display_name?: unknown;
        max_cfu?: unknown;
        isolation?: unknown;
        environment?: { id?: unknown };
      };
    },
  ): Promise<ComputePoolRecord> {
    const spec = body?.spec ?? {};
    const environmentId = await this.environment(principal, spec.environment?.id);
    const isolation = spec.isolation ?? 'shared';
    if (isolation !== 'shared' && isolation !== 'dedicated')
      throw invalid('spec.isolation must be "shared" or "dedicated".');
    const existing = await this.pools.list(principal.organizationId, environmentId);
    if (existing.length >= this.limits.maxPoolsPerEnvironment)
      throw new RiffleError(
        'COMPUTE_POOL_QUOTA_EXCEEDED',
        'quota',
        `This environment already has ${this.limits.maxPoolsPerEnvironment} compute pools, its quota; delete one or raise max_cfu of an existing pool.`,
      );
    return this.pools.insert({
      id: newResourceId('lfcp'),
      organizationId: principal.organizationId,
      environmentId,
      displayName: displayName(spec.display_name),
      maxCfu: maxCfu(spec.max_cfu),
      isolation: isolation as PoolIsolation,
      defaultPool: false,
    });
  }

  async list(principal: Principal, environmentId: unknown): Promise<ComputePoolRecord[]> {
    return this.pools.list(principal.organizationId, await this.environment(principal, environmentId));
  }

  /** `environmentId`, when the caller names one, must be the pool's: it is what the caller was authorized for */
  async get(principal: Principal, id: string, environmentId?: unknown): Promise<ComputePoolRecord> {
    const pool = await this.pools.find(principal.organizationId, id);
    if (!pool || (environmentId !== undefined && pool.environmentId !== environmentId))
      throw poolNotFound(id);
    return pool;
  }

  async update(
    principal: Principal,
    id: string,
    body: { spec?: { display_name?: unknown; max_cfu?: unknown; isolation?: unknown } },
    environmentId?: unknown,
  ): Promise<ComputePoolRecord> {
    await this.get(principal, id, environmentId);
    const spec = body?.spec ?? {};
    if (spec.isolation !== undefined)
      throw new RiffleError('FIELD_IMMUTABLE', 'invalid', 'spec.isolation cannot change; create a new pool.');
    const updated = await this.pools.update(principal.organizationId, id, {
      ...(spec.display_name !== undefined ? { displayName: displayName(spec.display_name) } : {}),
      ...(spec.max_cfu !== undefined ? { maxCfu: maxCfu(spec.max_cfu) } : {}),
    });
    if (!updated) throw poolNotFound(id);
    return updated;
  }

  async delete(principal: Principal, id: string, environmentId?: unknown): Promise<void> {
    await this.get(principal, id, environmentId);
    const result = await this.pools.deleteIfEmpty(principal.organizationId, id);
    if (result === 'missing') throw poolNotFound(id);
    if (result === 'busy')
      throw new RiffleError(
        'COMPUTE_POOL_NOT_EMPTY',
        'conflict',
        'The pool still has unfinished statements; stop or delete them first.',
      );
  }

  private async environment(principal: Principal, value: unknown): Promise<string> {
    if (typeof value !== 'string' || !value)
      throw invalid('spec.environment.id (or ?environment=) must name an environment.');
    if (!(await this.identities.findEnvironment(principal.organizationId, value)))
      throw new RiffleError('ENVIRONMENT_NOT_FOUND', 'not_found', 'No such organization or environment.');
    return value;
  }
}
