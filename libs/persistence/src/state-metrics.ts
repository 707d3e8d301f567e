import type { Metrics } from '@riffle/observability';
import type { DataSource } from 'typeorm';

/**
 * Gauges read from Postgres when Prometheus scrapes: what the system of record says right now, the
 * same from every replica.
 */
export function registerStateMetrics(metrics: Metrics, db: DataSource): void {
  metrics.gaugeFrom('statements', 'Statements by phase', ['phase'], async () => {
    const rows: { phase: string; count: string }[] = await db.query(
      'SELECT phase, count(*) FROM statements GROUP BY phase',
    );
    return rows.map((r) => ({ labels: { phase: r.phase }, value: Number(r.count) }));
  });
  metrics.gaugeFrom(
    'compute_pool_cfu',
    'CFUs per compute pool: current (held or reserved) and max',
    ['pool', 'kind'],
    async () => {
      const rows: { id: string; max_cfu: number; current: string }[] = await db.query(
        `SELECT p.id, p.max_cfu, coalesce(sum(greatest(s.current_cfu, s.admitted_cfu))
         FILTER (WHERE s.phase NOT IN ('COMPLETED', 'FAILED', 'STOPPED')), 0) AS current
       FROM compute_pools p LEFT JOIN statements s ON s.compute_pool_id = p.id
       GROUP BY p.id ORDER BY p.id LIMIT 2000`,
      );
      return rows.flatMap((r) => [
        { labels: { pool: r.id, kind: 'current' }, value: Number(r.current) },
        { labels: { pool: r.id, kind: 'max' }, value: r.max_cfu },
      ]);
    },
  );
  metrics.gaugeFrom(
    'statement_submit_to_running_seconds',
    'Time from submission to RUNNING of statements started in the last hour',
    ['quantile'],
    async () => {
      const [row]: { p50: number | null; p99: number | null }[] = await db.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM start_time - created_at)) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM start_time - created_at)) AS p99
         FROM statements WHERE start_time > now() - interval '1 hour'`,
      );
      return row?.p50 === null || !row
        ? []
        : [
            { labels: { quantile: '0.5' }, value: Number(row.p50) },
            { labels: { quantile: '0.99' }, value: Number(row.p99) },
          ];
    },
  );
  metrics.gaugeFrom(
    'metering_lag_seconds',
    'How long ago the oldest unclosed usage minute ended (0 = nothing to close)',
    ['loop'],
    async () => {
      const rows: { name: string; lag: number }[] = await db.query(
        `SELECT name, greatest(0, extract(epoch FROM now() - (through + interval '2 minutes'))) AS lag
         FROM metering_progress`,
      );
      return rows.map((r) => ({ labels: { loop: r.name }, value: Number(r.lag) }));
    },
  );
  metrics.gaugeFrom(
    'autoscaler_decisions',
    'Rescales the autoscaler decided, by direction, in the last 24 hours',
    ['action'],
    async () => {
      const rows: { action: string; count: string }[] = await db.query(
        `SELECT action, count(*) FROM scaling_decisions
         WHERE decided_at > now() - interval '24 hours' GROUP BY action`,
      );
      const count = (action: string) => Number(rows.find((r) => r.action === action)?.count ?? 0);
      return ['scale-up', 'scale-down'].map((action) => ({ labels: { action }, value: count(action) }));
    },
  );
  metrics.gaugeFrom(
    'flink_cells',
    'Flink cells of the fleet by state, and their task slots',
    ['state', 'kind'],
    async () => {
      const rows: { state: string; cells: string; slots: string }[] = await db.query(
        'SELECT state, count(*) AS cells, coalesce(sum(slots_total), 0) AS slots FROM flink_cells GROUP BY state',
      );
      return ['ACTIVE', 'LOST', 'REMOVED'].flatMap((state) => {
        const row = rows.find((r) => r.state === state);
        return [
          { labels: { state, kind: 'cells' }, value: Number(row?.cells ?? 0) },
          { labels: { state, kind: 'slots' }, value: Number(row?.slots ?? 0) },
        ];
      });
    },
  );
}
