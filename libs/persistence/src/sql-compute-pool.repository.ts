import {
  type AdmissionVerdict,
  type ComputePoolRecord,
  ComputePoolRepository,
  PoolAdmission,
  type PoolIsolation,
  ScalingDecisionLog,
  type StatementRecord,
} from '@riffle/application';
import { admit, type ScalingDecision } from '@riffle/domain';
import type { DataSource } from 'typeorm';

interface PoolRow {
  id: string;
  organization_id: string;
  environment_id: string;
  display_name: string;
  max_cfu: number;
  isolation: PoolIsolation;
  default_pool: boolean;
  phase: ComputePoolRecord['phase'];
  current_cfu: string;
  created_at: Date;
  updated_at: Date;
  resource_version: string;
}

const UNFINISHED = `phase NOT IN ('COMPLETED', 'FAILED', 'STOPPED')`;

/** a pool's CFUs: what its unfinished statements hold, or have reserved on admission */
const SELECT_POOL = `SELECT p.*, coalesce((SELECT sum(greatest(s.current_cfu, s.admitted_cfu)) FROM statements s
  WHERE s.compute_pool_id = p.id AND s.${UNFINISHED}), 0) AS current_cfu FROM compute_pools p`;

const toPool = (r: PoolRow): ComputePoolRecord => ({
  id: r.id,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  displayName: r.display_name,
  maxCfu: r.max_cfu,
  isolation: r.isolation,
  defaultPool: r.default_pool,
  phase: r.phase,
  currentCfu: Number(r.current_cfu),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  resourceVersion: Number(r.resource_version),
});

export class SqlComputePoolRepository extends ComputePoolRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async insert(pool: {
    id: string;
    organizationId: string;
    environmentId: string;
    displayName: string;
    maxCfu: number;
    isolation: PoolIsolation;
    defaultPool: boolean;
  }): Promise<ComputePoolRecord> {
    await this.db.query(
      `INSERT INTO compute_pools (id, organization_id, environment_id, display_name, max_cfu, isolation, default_pool)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        pool.id,
        pool.organizationId,
        pool.environmentId,
        pool.displayName,
        pool.maxCfu,
        pool.isolation,
        pool.defaultPool,
      ],
    );
    return (await this.find(pool.organizationId, pool.id))!;
  }

  async find(organizationId: string, id: string): Promise<ComputePoolRecord | undefined> {
    const rows: PoolRow[] = await this.db.query(`${SELECT_POOL} WHERE p.organization_id = $1 AND p.id = $2`, [
      organizationId,
      id,
    ]);
    return rows[0] && toPool(rows[0]);
  }

  async list(organizationId: string, environmentId?: string): Promise<ComputePoolRecord[]> {
    const rows: PoolRow[] = await this.db.query(
      `${SELECT_POOL} WHERE p.organization_id = $1 AND ($2::text IS NULL OR p.environment_id = $2)
       ORDER BY p.created_at, p.id LIMIT 1000`,
      [organizationId, environmentId ?? null],
    );
    return rows.map(toPool);
  }

  async ensureDefault(organizationId: string, environmentId: string, maxCfu: number): Promise<string> {
    // one round trip on every submission: the insert's row when it creates the pool, else the existing one
    const rows: { id: string }[] = await this.db.query(
      `WITH created AS (
         INSERT INTO compute_pools (id, organization_id, environment_id, display_name, max_cfu, default_pool)
         VALUES ($1, $2, $3, 'default', $4, true) ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM created
       UNION ALL
       SELECT id FROM compute_pools WHERE organization_id = $2 AND environment_id = $3 AND default_pool
       LIMIT 1`,
      [`lfcp-${environmentId.replace(/^env-/, '')}`, organizationId, environmentId, maxCfu],
    );
    if (rows[0]) return rows[0].id;
    // a concurrent submission inserted it first: this insert waited for it and did nothing, but this
    // statement's snapshot predates that commit, so its SELECT saw no pool either; a new statement does
    const created: { id: string }[] = await this.db.query(
      'SELECT id FROM compute_pools WHERE organization_id = $1 AND environment_id = $2 AND default_pool',
      [organizationId, environmentId],
    );
    if (!created[0]) throw new Error(`no default compute pool in ${environmentId} after creating it`);
    return created[0].id;
  }

  async update(
    organizationId: string,
    id: string,
    changes: { displayName?: string; maxCfu?: number },
  ): Promise<ComputePoolRecord | undefined> {
    const [, count]: [unknown, number] = await this.db.query(
      `UPDATE compute_pools SET display_name = coalesce($3, display_name), max_cfu = coalesce($4, max_cfu),
         updated_at = now(), resource_version = resource_version + 1
       WHERE organization_id = $1 AND id = $2`,
      [organizationId, id, changes.displayName ?? null, changes.maxCfu ?? null],
    );
    return count > 0 ? this.find(organizationId, id) : undefined;
  }

  async deleteIfEmpty(organizationId: string, id: string): Promise<'deleted' | 'busy' | 'missing'> {
    return this.db.transaction(async (tx) => {
      const pools: { id: string }[] = await tx.query(
        'SELECT id FROM compute_pools WHERE organization_id = $1 AND id = $2 FOR UPDATE',
        [organizationId, id],
      );
      if (!pools.length) return 'missing';
      const busy: unknown[] = await tx.query(
        `SELECT 1 FROM statements WHERE compute_pool_id = $1 AND (${UNFINISHED} OR (phase = 'STOPPED' AND NOT stopped)) LIMIT 1`,
        [id],
      );
      if (busy.length) return 'busy';
      await tx.query('DELETE FROM compute_pools WHERE id = $1', [id]);
      return 'deleted';
    });
  }
}

/**
 * Admission under a per-pool advisory lock: every scheduler replica sees the same CFU count and the
 * same queue (unadmitted statements in submission order), so a pool is never overcommitted.
 */
export class SqlPoolAdmission extends PoolAdmission {
  constructor(private readonly db: DataSource) {
    super();
  }

  async freeCfu(statement: StatementRecord): Promise<number> {
    if (!statement.computePoolId) return Number.MAX_SAFE_INTEGER;
    const [row]: { free: string }[] = await this.db.query(
      `SELECT p.max_cfu - coalesce((SELECT sum(greatest(s.current_cfu, s.admitted_cfu)) FROM statements s
         WHERE s.compute_pool_id = p.id AND s.${UNFINISHED}), 0) AS free
       FROM compute_pools p WHERE p.id = $1`,
      [statement.computePoolId],
    );
    return Math.max(0, Number(row?.free ?? 0));
  }

  admit(statement: StatementRecord, requestedCfu: number): Promise<AdmissionVerdict> {
    const poolId = statement.computePoolId;
    if (!poolId) return Promise.resolve({ admitted: true });
    return this.db.transaction(async (tx) => {
      // another pass is admitting into this pool right now: rather than hold a connection waiting for
      // its lock (a tenant with hundreds of statements waiting would tie up the scheduler's pool), look
      // again shortly; whoever holds the lock decides in submission order anyway
      const [{ locked }]: { locked: boolean }[] = await tx.query(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [poolId],
      );
      if (!locked) return { admitted: false, reason: statement.detail, ahead: 0 };
      const [pool]: { max_cfu: number }[] = await tx.query(
        'SELECT max_cfu FROM compute_pools WHERE id = $1',
        [poolId],
      );
      if (!pool)
        return { admitted: false, reason: `waiting: compute pool ${poolId} no longer exists`, ahead: 0 };
      const [{ used }]: { used: string }[] = await tx.query(
        `SELECT coalesce(sum(greatest(current_cfu, admitted_cfu)), 0) AS used FROM statements
         WHERE compute_pool_id = $1 AND ${UNFINISHED}`,
        [poolId],
      );
      const waiting: { uid: string; created_at: Date }[] = await tx.query(
        `SELECT uid, created_at FROM statements
         WHERE compute_pool_id = $1 AND admitted_cfu = 0 AND current_cfu = 0 AND NOT stopped
           AND phase IN ('PENDING', 'STOPPED') AND execution_mode <> 'metadata'
         ORDER BY created_at, uid`,
        [poolId],
      );
      const decision = admit({
        pool: { maxCfu: pool.max_cfu, currentCfu: Number(used) },
        queue: waiting.map((w) => ({
          uid: w.uid,
          requestedCfu: w.uid === statement.uid ? requestedCfu : 1,
          submittedAt: w.created_at.getTime(),
        })),
      });
      const waits = decision.waiting.find((w) => w.uid === statement.uid);
      const verdict: AdmissionVerdict = waits
        ? { admitted: false, reason: waits.detail, ahead: waits.ahead }
        : { admitted: true };
      const now = new Date().toISOString();
      if (verdict.admitted) {
        await tx.query(`UPDATE statements SET admitted_cfu = $2, scaling_status = $3 WHERE uid = $1`, [
          statement.uid,
          requestedCfu,
          JSON.stringify({ scaling_state: 'OK', last_updated: now }),
        ]);
        return { admitted: true };
      }
      // written only when it changes: a waiting statement looks again every few seconds, and each write
      // is a new resource version announced to every API replica's read cache
      await tx.query(
        `UPDATE statements SET scaling_status = $2, detail = $3, updated_at = now()
         WHERE uid = $1 AND (detail IS DISTINCT FROM $3 OR scaling_status->>'scaling_state' IS DISTINCT FROM 'POOL_EXHAUSTED')`,
        [
          statement.uid,
          JSON.stringify({ scaling_state: 'POOL_EXHAUSTED', reason: verdict.reason, last_updated: now }),
          verdict.reason,
        ],
      );
      return verdict;
    });
  }
}

/** the autoscaler's decisions that rescaled a statement, with their inputs */
export class SqlScalingDecisionLog extends ScalingDecisionLog {
  constructor(private readonly db: DataSource) {
    super();
  }

  async record(statementUid: string, fromCfu: number, decision: ScalingDecision): Promise<void> {
    await this.db.query(
      `INSERT INTO scaling_decisions (statement_uid, action, from_cfu, to_cfu, reason, inputs) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        statementUid,
        decision.action,
        fromCfu,
        decision.parallelism,
        decision.reason,
        JSON.stringify(decision.inputs),
      ],
    );
  }
}
