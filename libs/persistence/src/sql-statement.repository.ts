import {
  type NewStatement,
  type StatementException,
  type StatementCursor,
  type StatementFilter,
  type ScalingStatus,
  type StatementRecord,
  StatementRepository,
  type StatementScope,
  type StatusPatch,
} from '@riffle/application';
import { type FailureClass, RiffleError, type SqlAnalysis } from '@riffle/domain';
import type { DataSource, EntityManager } from 'typeorm';

interface StatementRow {
  uid: string;
  organization_id: string;
  environment_id: string;
  name: string;
  statement: string;
  properties: Record<string, string>;
  compute_pool_id: string | null;
  principal: string;
  labels: Record<string, string>;
  stopped: boolean;
  sql_kind: string;
  execution_mode: StatementRecord['executionMode'];
  analysis: SqlAnalysis | null;
  phase: StatementRecord['phase'];
  detail: string;
  warnings: string[];
  traits: Record<string, unknown>;
  current_cfu: number;
  admitted_cfu: number;
  scaling_status: StatementRecord['scalingStatus'];
  job_id: string | null;
  cell_id: string | null;
  savepoint_path: string | null;
  start_time: Date | null;
  end_time: Date | null;
  last_read_at: Date | null;
  created_at: Date;
  updated_at: Date;
  resource_version: string;
}

const toRecord = (r: StatementRow): StatementRecord => ({
  uid: r.uid,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  name: r.name,
  statement: r.statement,
  properties: r.properties,
  computePoolId: r.compute_pool_id,
  principal: r.principal,
  labels: r.labels,
  stopped: r.stopped,
  sqlKind: r.sql_kind,
  executionMode: r.execution_mode,
  analysis: r.analysis ?? null,
  phase: r.phase,
  detail: r.detail,
  warnings: r.warnings,
  traits: r.traits,
  currentCfu: r.current_cfu,
  admittedCfu: r.admitted_cfu,
  scalingStatus: r.scaling_status,
  jobId: r.job_id,
  cellId: r.cell_id,
  savepointPath: r.savepoint_path,
  startTime: r.start_time,
  endTime: r.end_time,
  lastReadAt: r.last_read_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  resourceVersion: Number(r.resource_version),
});

const STATUS_COLUMNS: Record<keyof StatusPatch, string> = {
  phase: 'phase',
  detail: 'detail',
  jobId: 'job_id',
  cellId: 'cell_id',
  savepointPath: 'savepoint_path',
  startTime: 'start_time',
  endTime: 'end_time',
  currentCfu: 'current_cfu',
  admittedCfu: 'admitted_cfu',
  scalingStatus: 'scaling_status',
};

const LEDGER_INSERT = `INSERT INTO allocation_ledger
  (statement_uid, statement_name, organization_id, environment_id, compute_pool_id, cfu, reason)`;

/**
 * `last_read_at` only tells the scheduler whether anybody still reads a query's results (its idle timeout
 * is minutes), so a read records it at most once a second per statement and replica: under many readers
 * of one statement, an UPDATE per read made them queue on the row's lock.
 */
const TOUCH_EVERY_MS = 1_000;
const TOUCHED_MAX = 10_000;

function openQueryLimit(cap: number): RiffleError {
  return new RiffleError(
    'OPEN_QUERY_LIMIT',
    'rate_limited',
    `This environment already has ${cap} queries pending or running, its limit; read or stop one (or wait for one to end) and submit again.`,
    { limit: cap, retry_after_seconds: 5 },
  );
}

export class SqlStatementRepository extends StatementRepository {
  /** when this replica last recorded a read of each statement (oldest first) */
  private readonly touched = new Map<string, number>();

  /**
   * @param changed told after this repository changed a statement's spec (update, delete), so a read
   * cache of this process (StatementReadCache.forget) sees its own writes at once rather than after the
   * change's NOTIFY arrives.
   */
  constructor(
    private readonly db: DataSource,
    private readonly changed: (scope: StatementScope, name: string) => void = () => {},
  ) {
    super();
  }

  async insert(s: NewStatement, limits: { maxOpenQueries?: number } = {}): Promise<StatementRecord> {
    const cap = s.executionMode === 'foreground' ? limits.maxOpenQueries : undefined;
    if (cap === undefined) return this.insertRow(this.db.manager, s);
    // queries of one environment are counted and inserted under one lock, so the cap is exact
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('open-queries/' || $1))`, [s.environmentId]);
      const [{ open }]: { open: string }[] = await tx.query(
        `SELECT count(*) AS open FROM (SELECT 1 FROM statements WHERE organization_id = $1 AND environment_id = $2
           AND execution_mode = 'foreground' AND phase IN ('PENDING', 'RUNNING') LIMIT $3) q`,
        [s.organizationId, s.environmentId, cap],
      );
      if (Number(open) >= cap) throw openQueryLimit(cap);
      return this.insertRow(tx, s);
    });
  }

  private async insertRow(db: EntityManager, s: NewStatement): Promise<StatementRecord> {
    try {
      const rows: StatementRow[] = await db.query(
        `INSERT INTO statements (uid, organization_id, environment_id, name, statement, properties, compute_pool_id,
           principal, labels, stopped, sql_kind, execution_mode, traits, analysis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
        [
          s.uid,
          s.organizationId,
          s.environmentId,
          s.name,
          s.statement,
          JSON.stringify(s.properties),
          s.computePoolId,
          s.principal,
          JSON.stringify(s.labels),
          s.stopped,
          s.sqlKind,
          s.executionMode,
          JSON.stringify(s.traits),
          s.analysis === null ? null : JSON.stringify(s.analysis),
        ],
      );
      return toRecord(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new RiffleError(
          'STATEMENT_EXISTS',
          'conflict',
          `A statement named "${s.name}" already exists in this environment.`,
        );
      }
      throw error;
    }
  }

  async countInEnvironment(scope: StatementScope, upTo: number): Promise<number> {
    const [row]: { count: string }[] = await this.db.query(
      `SELECT count(*) FROM (SELECT 1 FROM statements WHERE organization_id = $1 AND environment_id = $2 LIMIT $3) s`,
      [scope.organizationId, scope.environmentId, upTo],
    );
    return Number(row?.count ?? 0);
  }

  async find(scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    const rows: StatementRow[] = await this.db.query(
      'SELECT * FROM statements WHERE organization_id = $1 AND environment_id = $2 AND name = $3',
      [scope.organizationId, scope.environmentId, name],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(
    scope: StatementScope,
    filter: StatementFilter,
    pageSize: number,
    after?: StatementCursor,
  ): Promise<StatementRecord[]> {
    const where = ['organization_id = $1', 'environment_id = $2'];
    const params: unknown[] = [scope.organizationId, scope.environmentId];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.computePoolId) add((p) => `compute_pool_id = ${p}`, filter.computePoolId);
    if (filter.phase) add((p) => `phase = ${p}`, filter.phase);
    if (filter.labels && Object.keys(filter.labels).length)
      add((p) => `labels @> ${p}::jsonb`, JSON.stringify(filter.labels));
    if (after) {
      params.push(after.createdAt, after.uid);
      where.push(`(created_at, uid) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(pageSize);
    const rows: StatementRow[] = await this.db.query(
      `SELECT * FROM statements WHERE ${where.join(' AND ')} ORDER BY created_at, uid LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  async updateSpec(
    scope: StatementScope,
    name: string,
    expectedVersion: number,
    changes: { stopped?: boolean; computePoolId?: string | null; principal?: string },
  ): Promise<StatementRecord | 'conflict' | undefined> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected]
    const [rows]: [StatementRow[], number] = await this.db.query(
      `UPDATE statements SET
         stopped = COALESCE($5, stopped),
         compute_pool_id = CASE WHEN $6::boolean THEN $7 ELSE compute_pool_id END,
         principal = COALESCE($8, principal),
         spec_version = spec_version + 1,
         resource_version = resource_version + 1,
         updated_at = now()
       WHERE organization_id = $1 AND environment_id = $2 AND name = $3 AND resource_version = $4
         AND phase <> 'DELETING'
       RETURNING *`,
      [
        scope.organizationId,
        scope.environmentId,
        name,
        expectedVersion,
        changes.stopped ?? null,
        changes.computePoolId !== undefined,
        changes.computePoolId ?? null,
        changes.principal ?? null,
      ],
    );
    if (rows[0]) {
      this.changed(scope, name);
      return toRecord(rows[0]);
    }
    return (await this.find(scope, name)) ? 'conflict' : undefined;
  }

  async markDeleting(scope: StatementScope, name: string): Promise<StatementRecord | undefined> {
    const [rows]: [StatementRow[], number] = await this.db.query(
      `UPDATE statements SET phase = 'DELETING', detail = 'Deleting: the Flink job is cancelled first.',
         resource_version = resource_version + 1, updated_at = now()
       WHERE organization_id = $1 AND environment_id = $2 AND name = $3 RETURNING *`,
      [scope.organizationId, scope.environmentId, name],
    );
    if (rows[0]) this.changed(scope, name);
    return rows[0] && toRecord(rows[0]);
  }

  async exceptions(uid: string, limit: number): Promise<StatementException[]> {
    const rows: {
      name: string;
      message: string;
      occurred_at: Date;
      count: number;
      kind: StatementException['kind'];
    }[] = await this.db.query(
      `SELECT name, message, occurred_at, count, kind FROM statement_exceptions WHERE statement_uid = $1
       ORDER BY occurred_at DESC, id DESC LIMIT $2`,
      [uid, limit],
    );
    return rows.map((r) => ({
      name: r.name,
      message: r.message,
      occurredAt: r.occurred_at,
      count: r.count,
      kind: r.kind,
    }));
  }

  async touchRead(uid: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touched.get(uid) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.delete(uid);
    this.touched.set(uid, now);
    if (this.touched.size > TOUCHED_MAX) this.touched.delete(this.touched.keys().next().value!);
    await this.db.query(
      `UPDATE statements SET last_read_at = now()
       WHERE uid = $1 AND (last_read_at IS NULL OR last_read_at < now() - interval '1 second')`,
      [uid],
    );
  }

  async findByUid(uid: string): Promise<StatementRecord | undefined> {
    const rows: StatementRow[] = await this.db.query('SELECT * FROM statements WHERE uid = $1', [uid]);
    return rows[0] && toRecord(rows[0]);
  }

  async recordStatus(uid: string, patch: StatusPatch): Promise<void> {
    // a statement that gives up its CFUs also gives back its place in the pool
    if (patch.currentCfu === 0 && patch.admittedCfu === undefined) patch = { ...patch, admittedCfu: 0 };
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [
      keyof StatusPatch,
      unknown,
    ][];
    if (!entries.length) return;
    // a delete wins over a reconcile pass that read the row before it: that pass may still record its
    // phase (a stopped create's STOPPED), which would leave the statement undeleted for good
    const sets = entries.map(([key], i) =>
      key === 'phase' || key === 'detail'
        ? `${STATUS_COLUMNS[key]} = CASE WHEN s.phase = 'DELETING' THEN s.${STATUS_COLUMNS[key]} ELSE $${i + 2} END`
        : `${STATUS_COLUMNS[key]} = $${i + 2}`,
    );
    // a change of CFUs appends to the allocation ledger in the same statement, so billing can never
    // disagree with what the statement held
    await this.db.query(
      `WITH old AS (SELECT uid, current_cfu FROM statements WHERE uid = $1 FOR UPDATE),
       changed AS (
         UPDATE statements s SET ${sets.join(', ')}, resource_version = s.resource_version + 1, updated_at = now()
         FROM old WHERE s.uid = old.uid
         RETURNING s.*, old.current_cfu AS previous_cfu)
       ${LEDGER_INSERT}
       SELECT uid, name, organization_id, environment_id, compute_pool_id, current_cfu,
         CASE WHEN previous_cfu = 0 THEN 'start' WHEN current_cfu > 0 THEN 'rescale'
              WHEN phase = 'FAILED' THEN 'fail' WHEN phase = 'COMPLETED' THEN 'complete' ELSE 'stop' END
       FROM changed WHERE current_cfu <> previous_cfu`,
      [uid, ...entries.map(([key, v]) => (key === 'scalingStatus' ? JSON.stringify(v) : v))],
    );
  }

  async recordScaling(uid: string, scaling: ScalingStatus): Promise<void> {
    await this.db.query('UPDATE statements SET scaling_status = $2 WHERE uid = $1', [
      uid,
      JSON.stringify(scaling),
    ]);
  }

  async addException(
    uid: string,
    name: string,
    message: string,
    more: { kind?: FailureClass; count?: number } = {},
  ): Promise<void> {
    const count = Math.max(1, more.count ?? 1);
    // the same cause as the newest entry adds to its count; concurrent writers of one statement are
    // serialised on the statement's row so two equal causes never become two entries
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM statements WHERE uid = $1 FOR UPDATE', [uid]);
      const [, repeated]: [unknown, number] = await tx.query(
        `UPDATE statement_exceptions SET count = count + $4, occurred_at = now(), kind = coalesce($5, kind)
         WHERE id = (SELECT id FROM statement_exceptions WHERE statement_uid = $1
                     ORDER BY occurred_at DESC, id DESC LIMIT 1)
           AND name = $2 AND message = $3`,
        [uid, name, message.slice(0, 4_000), count, more.kind ?? null],
      );
      if (repeated === 0)
        await tx.query(
          'INSERT INTO statement_exceptions (statement_uid, name, message, count, kind) VALUES ($1, $2, $3, $4, $5)',
          [uid, name, message.slice(0, 4_000), count, more.kind ?? null],
        );
    });
  }

  async delete(uid: string): Promise<void> {
    await this.db.query(
      `WITH gone AS (DELETE FROM statements WHERE uid = $1 RETURNING *)
       ${LEDGER_INSERT}
       SELECT uid, name, organization_id, environment_id, compute_pool_id, 0, 'delete' FROM gone WHERE current_cfu > 0`,
      [uid],
    );
  }

  async activeStatements(): Promise<{ uid: string; organizationId: string }[]> {
    const rows: { uid: string; organization_id: string }[] = await this.db.query(
      `SELECT uid, organization_id FROM statements WHERE phase NOT IN ('COMPLETED', 'FAILED', 'STOPPED')
       OR (phase = 'STOPPED' AND NOT stopped) ORDER BY updated_at LIMIT 10000`,
    );
    return rows.map((r) => ({ uid: r.uid, organizationId: r.organization_id }));
  }
}
