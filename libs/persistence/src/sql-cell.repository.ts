import {
  type CellEndpoints,
  type CellLoad,
  CellRepository,
  type FlinkCell,
  type StrandedStatement,
} from '@riffle/application';
import type { DataSource } from 'typeorm';

interface CellRow {
  id: string;
  provider: string;
  rest_url: string;
  gateway_url: string;
  dedicated_pool_id: string | null;
  state: FlinkCell['state'];
  slots_total: number;
  checkpoint_dir: string | null;
  last_seen_at: Date | null;
  lost_at: Date | null;
  idle_since: Date | null;
}

const toCell = (r: CellRow): FlinkCell => ({
  id: r.id,
  provider: r.provider,
  restUrl: r.rest_url,
  gatewayUrl: r.gateway_url,
  dedicatedPoolId: r.dedicated_pool_id,
  state: r.state,
  slotsTotal: r.slots_total,
  checkpointDir: r.checkpoint_dir,
  lastSeenAt: r.last_seen_at,
  lostAt: r.lost_at,
  idleSince: r.idle_since,
});

const UNFINISHED = `s.phase NOT IN ('COMPLETED', 'FAILED', 'STOPPED')`;

export class SqlCellRepository extends CellRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async register(cell: CellEndpoints & { provider: string; dedicatedPoolId?: string | null }): Promise<void> {
    // a cell id that comes back after being lost or removed is a new cluster (a local fleet reuses
    // cluster numbers): ACTIVE again, unseen, with the new dedication
    await this.db.query(
      `INSERT INTO flink_cells (id, provider, rest_url, gateway_url, dedicated_pool_id)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET provider = $2, rest_url = $3, gateway_url = $4,
         dedicated_pool_id = CASE WHEN flink_cells.state = 'ACTIVE' THEN flink_cells.dedicated_pool_id ELSE $5 END,
         state = 'ACTIVE', lost_at = NULL, idle_since = NULL,
         detail = CASE WHEN flink_cells.state = 'ACTIVE' THEN flink_cells.detail ELSE '' END,
         last_seen_at = CASE WHEN flink_cells.state = 'ACTIVE' THEN flink_cells.last_seen_at END`,
      [cell.id, cell.provider, cell.restUrl, cell.gatewayUrl, cell.dedicatedPoolId ?? null],
    );
  }

  async active(): Promise<FlinkCell[]> {
    const rows: CellRow[] = await this.db.query(
      `SELECT * FROM flink_cells WHERE state = 'ACTIVE' ORDER BY created_at, id`,
    );
    return rows.map(toCell);
  }

  async lost(): Promise<FlinkCell[]> {
    const rows: CellRow[] = await this.db.query(
      `SELECT * FROM flink_cells WHERE state = 'LOST' ORDER BY created_at, id`,
    );
    return rows.map(toCell);
  }

  async find(id: string): Promise<FlinkCell | undefined> {
    const [row]: CellRow[] = await this.db.query('SELECT * FROM flink_cells WHERE id = $1', [id]);
    return row && toCell(row);
  }

  async recordSeen(
    id: string,
    seen: { slotsTotal: number; checkpointDir: string | null; idle: boolean },
  ): Promise<void> {
    await this.db.query(
      `UPDATE flink_cells SET last_seen_at = now(), slots_total = $2, checkpoint_dir = $3,
         idle_since = CASE WHEN $4 THEN coalesce(idle_since, now()) END
       WHERE id = $1 AND state = 'ACTIVE'`,
      [id, seen.slotsTotal, seen.checkpointDir, seen.idle],
    );
  }

  async markRemoved(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `WITH removed AS (UPDATE flink_cells c SET state = 'REMOVED', detail = 'idle past the cool-down'
         WHERE c.id = $1 AND c.state = 'ACTIVE' AND c.idle_since IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.cell_id = c.id AND ${UNFINISHED})
         RETURNING c.id)
       SELECT id FROM removed`,
      [id],
    );
    return rows.length === 1;
  }

  async markLost(id: string, detail: string): Promise<boolean> {
    // a CTE, so the driver answers rows (an UPDATE's answer would be [rows, count])
    const rows: unknown[] = await this.db.query(
      `WITH lost AS (UPDATE flink_cells SET state = 'LOST', lost_at = now(), detail = $2
         WHERE id = $1 AND state = 'ACTIVE' RETURNING id)
       SELECT id FROM lost`,
      [id, detail],
    );
    return rows.length === 1;
  }

  async loads(): Promise<CellLoad[]> {
    const rows: { cell_id: string; organization_id: string; held: string; reserved: string }[] =
      await this.db.query(
        `SELECT s.cell_id, s.organization_id::text AS organization_id,
                sum(greatest(s.current_cfu, s.admitted_cfu)) AS held,
                sum(CASE WHEN s.current_cfu = 0 THEN s.admitted_cfu ELSE 0 END) AS reserved
         FROM statements s WHERE s.cell_id IS NOT NULL AND ${UNFINISHED}
         GROUP BY s.cell_id, s.organization_id`,
      );
    const byCell = new Map<string, CellLoad>();
    for (const row of rows) {
      const load = byCell.get(row.cell_id) ?? { cellId: row.cell_id, tenants: {}, reservedSlots: 0 };
      load.tenants[row.organization_id] = Number(row.held);
      load.reservedSlots += Number(row.reserved);
      byCell.set(row.cell_id, load);
    }
    return [...byCell.values()];
  }

  exclusively<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('riffle.placement'))`);
      return fn();
    });
  }

  async stranded(cellId: string): Promise<StrandedStatement[]> {
    const rows: {
      uid: string;
      organization_id: string;
      job_id: string | null;
      savepoint_path: string | null;
      execution_mode: string;
    }[] = await this.db.query(
      `SELECT uid, organization_id, job_id, savepoint_path, execution_mode FROM statements s
       WHERE s.cell_id = $1 AND s.phase IN ('PENDING', 'RUNNING') AND NOT s.stopped ORDER BY created_at, uid`,
      [cellId],
    );
    return rows.map((r) => ({
      uid: r.uid,
      organizationId: r.organization_id,
      jobId: r.job_id,
      savepointPath: r.savepoint_path,
      background: r.execution_mode === 'background',
    }));
  }
}
