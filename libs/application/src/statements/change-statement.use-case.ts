import { RiffleError } from '@riffle/domain';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import { resolveScope, statementNotFound } from './statement-scope';
import {
  nudgeScheduler,
  type StatementQueue,
  type StatementRecord,
  type StatementRepository,
} from './statement.ports';

export interface UpdateStatementRequest {
  metadata?: { resource_version?: unknown };
  spec?: {
    statement?: unknown;
    stopped?: unknown;
    compute_pool_id?: unknown;
    principal?: unknown;
    properties?: unknown;
  };
}

/** Only stop/resume (and on resume the pool and principal) may change; SQL is immutable. */
export class UpdateStatement {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
    private readonly queue: StatementQueue,
  ) {}

  async execute(
    principal: Principal,
    org: string,
    env: string,
    name: string,
    request: UpdateStatementRequest,
  ): Promise<StatementRecord> {
    const scope = await resolveScope(this.identities, principal, org, env);
    const current = await this.statements.find(scope, name);
    if (!current) throw statementNotFound(name);
    const version = Number(request?.metadata?.resource_version);
    if (!Number.isInteger(version)) {
      throw new RiffleError(
        'RESOURCE_VERSION_REQUIRED',
        'invalid',
        'metadata.resource_version must be the version you read.',
      );
    }
    const spec = request.spec ?? {};
    if (spec.statement !== undefined && spec.statement !== current.statement) {
      throw new RiffleError(
        'STATEMENT_IMMUTABLE',
        'invalid',
        'SQL cannot change; create a new statement instead.',
      );
    }
    if (
      spec.properties !== undefined &&
      JSON.stringify(spec.properties) !== JSON.stringify(current.properties)
    ) {
      throw new RiffleError(
        'STATEMENT_IMMUTABLE',
        'invalid',
        'Properties cannot change; create a new statement instead.',
      );
    }
    if (spec.stopped !== undefined && typeof spec.stopped !== 'boolean') {
      throw new RiffleError('INVALID_FIELD', 'invalid', 'spec.stopped must be true or false.');
    }
    const resuming = spec.stopped === false && current.stopped;
    const changesPool = spec.compute_pool_id !== undefined && spec.compute_pool_id !== current.computePoolId;
    const changesPrincipal = spec.principal !== undefined && spec.principal !== current.principal;
    if ((changesPool || changesPrincipal) && !resuming) {
      throw new RiffleError(
        'FIELD_IMMUTABLE',
        'invalid',
        'compute_pool_id and principal can change only when resuming a stopped statement.',
      );
    }
    const updated = await this.statements.updateSpec(scope, name, version, {
      stopped: spec.stopped as boolean | undefined,
      computePoolId: changesPool ? ((spec.compute_pool_id as string | null) ?? null) : undefined,
      principal: changesPrincipal ? String(spec.principal) : undefined,
    });
    if (updated === undefined) throw statementNotFound(name);
    if (updated === 'conflict') {
      throw new RiffleError(
        'RESOURCE_VERSION_CONFLICT',
        'conflict',
        'The statement changed since you read it (or is being deleted); read it again and retry.',
      );
    }
    await nudgeScheduler(this.queue, updated.uid, updated.organizationId, { changed: true });
    return updated;
  }
}

/** 202 + DELETING; the scheduler cancels the job, then removes the statement. */
export class DeleteStatement {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
    private readonly queue: StatementQueue,
  ) {}

  async execute(principal: Principal, org: string, env: string, name: string): Promise<void> {
    const scope = await resolveScope(this.identities, principal, org, env);
    const statement = await this.statements.markDeleting(scope, name);
    if (!statement) throw statementNotFound(name);
    await nudgeScheduler(this.queue, statement.uid, statement.organizationId, { changed: true });
  }
}
