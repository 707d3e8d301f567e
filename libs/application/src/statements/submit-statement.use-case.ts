import { randomUUID } from 'node:crypto';
import {
  assertStatementName,
  checkSessionProperties,
  checkStatementPolicy,
  checkStatementText,
  isAllowed,
  RiffleError,
  type RoleBinding,
  rolesFor,
  SQL_ANALYSIS_LIMITS,
} from '@riffle/domain';
import type { KafkaClusterRepository } from '../catalog/catalog.ports';
import type { SqlAnalyzer } from '../sql/sql-analyzer.port';
import { DRY_RUN, type ValidateStatement } from '../sql/validate-statement';
import type { ComputePoolRepository } from '../compute/compute-pool.ports';
import { poolNotFound } from '../compute/compute-pools.use-case';
import type { IdentityRepository } from '../identity/identity.ports';
import type { Principal } from '../identity/principal';
import { resolveScope } from './statement-scope';
import {
  nudgeScheduler,
  type StatementQueue,
  type StatementRecord,
  StatementRepository,
} from './statement.ports';

/** Session properties a user may set; everything else is Riffle's to decide (DESIGN §7). */
export const ALLOWED_STATEMENT_PROPERTIES = new Set([
  'sql.current-catalog',
  'sql.current-database',
  'sql.local-time-zone',
  /** Flink's own name of sql.local-time-zone, stored as that */
  'table.local-time-zone',
  'sql.state-ttl',
  /** 'latest-offset' makes topic scans stop at the offsets current when the statement starts */
  'sql.tables.scan.bounded.mode',
  /** 'true': validate and plan the statement, answer with Flink's plan, run nothing */
  'sql.dry-run',
]);

/** what a dry run can plan (and what EXPLAIN explains) */
const DRY_RUN_KINDS = new Set(['SELECT', 'INSERT_INTO', 'STATEMENT_SET', 'CREATE_TABLE_AS']);

/** `table.local-time-zone` is stored as `sql.local-time-zone` (it is the same setting) */
function normalizeProperties(properties: Record<string, string>): Record<string, string> {
  const { 'table.local-time-zone': flinkName, ...rest } = properties;
  if (flinkName === undefined) return properties;
  const ours = rest['sql.local-time-zone'];
  if (ours !== undefined && ours !== flinkName)
    throw invalid(
      'INVALID_FIELD',
      'spec.properties sets table.local-time-zone and sql.local-time-zone to different zones; they are the same setting.',
    );
  return { ...rest, 'sql.local-time-zone': flinkName };
}

export interface SubmitStatementRequest {
  name?: unknown;
  spec?: {
    statement?: unknown;
    properties?: unknown;
    compute_pool_id?: unknown;
    principal?: unknown;
    stopped?: unknown;
  };
  metadata?: { labels?: unknown };
}

const invalid = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new RiffleError(code, 'invalid', message, details);

function stringMap(value: unknown, field: string, allowed?: Set<string>): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid('INVALID_FIELD', `${field} must be an object of strings.`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 64) throw invalid('INVALID_FIELD', `${field} has more than 64 entries.`);
  for (const [key, v] of entries) {
    if (typeof v !== 'string' || key.length > 256 || v.length > 4096) {
      throw invalid(
        'INVALID_FIELD',
        `${field}.${key.slice(0, 64)} must be a string of at most 4096 characters.`,
      );
    }
    if (allowed && !allowed.has(key)) {
      throw invalid(
        'PROPERTY_NOT_ALLOWED',
        `${field}.${key.slice(0, 64)} cannot be set; allowed: ${[...allowed].join(', ')}.`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** the value of a settled promise, or its error thrown */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** Validates, classifies and records a statement, then hands it to the scheduler. */
export class SubmitStatement {
  constructor(
    private readonly identities: IdentityRepository,
    private readonly statements: StatementRepository,
    private readonly queue: StatementQueue,
    private readonly pools: ComputePoolRepository,
    private readonly clusters: KafkaClusterRepository,
    private readonly analyzer: SqlAnalyzer,
    private readonly limits: {
      maxStatementsPerEnvironment: number;
      defaultPoolMaxCfu: number;
      /** queries pending or running at once per environment (none: no cap) */
      maxOpenQueriesPerEnvironment?: number;
    },
    /** Flink's semantic validation before 201 (none: statements are checked by the policy only) */
    private readonly validation?: ValidateStatement,
  ) {}

  async execute(
    principal: Principal,
    organizationId: string,
    environmentId: string,
    request: SubmitStatementRequest,
  ): Promise<StatementRecord> {
    const scope = await resolveScope(this.identities, principal, organizationId, environmentId);
    if (typeof request !== 'object' || request === null)
      throw invalid('INVALID_BODY', 'The body must be a JSON object.');
    const name = assertStatementName(request.name);
    const spec = request.spec ?? {};
    if (typeof spec.statement !== 'string')
      throw invalid('INVALID_FIELD', 'spec.statement must be a string of Flink SQL.');
    if (spec.stopped !== undefined && typeof spec.stopped !== 'boolean') {
      throw invalid('INVALID_FIELD', 'spec.stopped must be true or false.');
    }
    if (
      spec.compute_pool_id !== undefined &&
      spec.compute_pool_id !== null &&
      typeof spec.compute_pool_id !== 'string'
    ) {
      throw invalid('INVALID_FIELD', 'spec.compute_pool_id must be a string.');
    }
    if (spec.principal !== undefined && typeof spec.principal !== 'string') {
      throw invalid('INVALID_FIELD', 'spec.principal must be a service account id.');
    }
    // the SQL policy (DESIGN §7) runs on Flink's own reading of the statement (the SQL analyzer) before
    // anything is stored or reaches Flink: the environment is the only catalog, its Kafka clusters (by name or
    // id) the only databases. The reads a submission needs are independent: one round trip's wait instead
    // of four; their errors are still reported in the order a user fixes them (SQL, properties, quota,
    // principal, pool)
    const sql = spec.statement;
    checkStatementText(sql);
    const quota = this.limits.maxStatementsPerEnvironment;
    const [answer, clusters, count, pool] = await Promise.allSettled([
      this.analyzer.analyze(sql, SQL_ANALYSIS_LIMITS),
      this.clusters.list(scope.organizationId, scope.environmentId),
      this.statements.countInEnvironment(scope, quota),
      this.pool(scope, spec.compute_pool_id as string | null | undefined),
    ]);
    const policy = {
      catalog: scope.environmentId,
      databases: settled(clusters).flatMap((c) => [c.name, c.id]),
    };
    const classification = checkStatementPolicy(sql, settled(answer), policy);
    const properties = normalizeProperties(
      stringMap(spec.properties, 'spec.properties', ALLOWED_STATEMENT_PROPERTIES),
    );
    checkSessionProperties(properties, policy);
    const dryRun = properties[DRY_RUN] === 'true';
    if (dryRun && !DRY_RUN_KINDS.has(classification.sqlKind))
      throw invalid(
        'INVALID_FIELD',
        `${DRY_RUN} plans SELECT, INSERT, EXECUTE STATEMENT SET and CREATE TABLE … AS statements; this one is ${classification.sqlKind}.`,
      );
    // a soft quota: concurrent submissions may overshoot it by a few, never by many
    if (settled(count) >= quota) {
      throw new RiffleError(
        'STATEMENT_QUOTA_EXCEEDED',
        'quota',
        `This environment already has ${this.limits.maxStatementsPerEnvironment} statements, its quota; delete statements you no longer need.`,
      );
    }
    const runAs = (spec.principal as string | undefined) ?? principal.serviceAccountId;
    await this.checkPrincipal(scope, principal, runAs, classification);
    const poolId = settled(pool);
    const uid = randomUUID();
    // Flink validates it in the session it would run in (ValidateStatement); a dry run or EXPLAIN is planned
    const check = this.validation
      ? await this.validation.execute({ uid, ...scope, properties }, classification, {
          explain: dryRun || classification.sqlKind === 'EXPLAIN',
        })
      : { traits: {} };
    const record = await this.statements.insert(
      {
        uid,
        ...scope,
        name,
        statement: classification.normalized,
        properties,
        computePoolId: poolId,
        principal: runAs,
        labels: stringMap(request.metadata?.labels, 'metadata.labels'),
        stopped: spec.stopped === true,
        sqlKind: classification.sqlKind,
        // a dry run runs nothing: the scheduler answers it with Flink's plan, like EXPLAIN
        executionMode: dryRun ? 'metadata' : classification.mode,
        analysis: classification.analysis,
        // what Flink's validation and plan said (schema, changelog mode, upsert keys), when it could
        traits: { sql_kind: classification.sqlKind, ...check.traits },
      },
      { maxOpenQueries: this.limits.maxOpenQueriesPerEnvironment },
    );
    // the stored row is the acknowledgement; the queue only starts the scheduler sooner (the sweep finds the
    // statement anyway), so the answer does not wait for Redis
    void nudgeScheduler(this.queue, record.uid, record.organizationId);
    return record;
  }

  /** the pool named in the spec (of this environment), else the environment's default pool */
  private async pool(
    scope: { organizationId: string; environmentId: string },
    id: string | null | undefined,
  ) {
    if (!id)
      return this.pools.ensureDefault(
        scope.organizationId,
        scope.environmentId,
        this.limits.defaultPoolMaxCfu,
      );
    const pool = await this.pools.find(scope.organizationId, id);
    if (!pool || pool.environmentId !== scope.environmentId) throw poolNotFound(id);
    return pool.id;
  }

  /**
   * A statement runs as its principal (a service account of the organization): the principal's roles in
   * the environment decide what the statement may read and write, whoever submits it.
   */
  private async checkPrincipal(
    scope: { organizationId: string; environmentId: string },
    caller: Principal,
    serviceAccountId: string,
    classification: { tablesRead: string[][]; tablesWritten: string[][]; sqlKind: string },
  ): Promise<void> {
    let bindings: RoleBinding[] = caller.roles;
    // the caller's own account: its roles came with its API key; another one is looked up
    if (serviceAccountId !== caller.serviceAccountId) {
      const account = await this.identities.findServiceAccount(scope.organizationId, serviceAccountId);
      if (!account)
        throw new RiffleError(
          'PRINCIPAL_NOT_FOUND',
          'invalid',
          `spec.principal ${serviceAccountId} is not a service account of this organization.`,
        );
      bindings = await this.identities.listRoleBindings(scope.organizationId, { serviceAccountId });
    }
    const writes =
      classification.tablesWritten.length > 0 || /^(CREATE|DROP|ALTER)_TABLE/.test(classification.sqlKind);
    const missing = [
      ...(classification.tablesRead.length && !isAllowed(bindings, 'table.read', scope.environmentId)
        ? ['read']
        : []),
      ...(writes && !isAllowed(bindings, 'table.write', scope.environmentId) ? ['write'] : []),
    ];
    if (missing.length)
      throw new RiffleError(
        'PRINCIPAL_NOT_ALLOWED',
        'forbidden',
        `The statement's principal ${serviceAccountId} may not ${missing.join(' or ')} tables in this environment; bind it a role that may (${rolesFor(missing.includes('write') ? 'table.write' : 'table.read').join(', ')}).`,
      );
  }
}
