import { type BillingExport, BillingExportRepository } from '@riffle/application';
import type { DataSource } from 'typeorm';

interface ExportRow {
  id: string;
  organization_id: string;
  start_date: string;
  end_date: string;
  format: BillingExport['format'];
  granularity: BillingExport['granularity'];
  phase: BillingExport['phase'];
  detail: string;
  location: string | null;
  lines: string | null;
  bytes: string | null;
  sha256: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS = `id, organization_id, to_char(start_date, 'YYYY-MM-DD') AS start_date,
  to_char(end_date, 'YYYY-MM-DD') AS end_date, format, granularity, phase, detail, location, lines, bytes, sha256,
  created_at, completed_at`;

const toExport = (r: ExportRow): BillingExport => ({
  id: r.id,
  organizationId: r.organization_id,
  startDate: r.start_date,
  endDate: r.end_date,
  format: r.format,
  granularity: r.granularity,
  phase: r.phase,
  detail: r.detail,
  location: r.location,
  lines: r.lines === null ? null : Number(r.lines),
  bytes: r.bytes === null ? null : Number(r.bytes),
  sha256: r.sha256,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

export class SqlBillingExportRepository extends BillingExportRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async insert(
    e: Pick<BillingExport, 'id' | 'organizationId' | 'startDate' | 'endDate' | 'format' | 'granularity'>,
  ): Promise<BillingExport> {
    const rows: ExportRow[] = await this.db.query(
      `INSERT INTO billing_exports (id, organization_id, start_date, end_date, format, granularity, detail)
       VALUES ($1, $2, $3, $4, $5, $6, 'Queued.') RETURNING ${COLUMNS}`,
      [e.id, e.organizationId, e.startDate, e.endDate, e.format, e.granularity],
    );
    return toExport(rows[0]!);
  }

  async find(organizationId: string, id: string): Promise<BillingExport | undefined> {
    const rows: ExportRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM billing_exports WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    );
    return rows[0] && toExport(rows[0]);
  }

  async findById(id: string): Promise<BillingExport | undefined> {
    const rows: ExportRow[] = await this.db.query(`SELECT ${COLUMNS} FROM billing_exports WHERE id = $1`, [
      id,
    ]);
    return rows[0] && toExport(rows[0]);
  }

  async list(organizationId: string, limit: number): Promise<BillingExport[]> {
    const rows: ExportRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM billing_exports WHERE organization_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [organizationId, limit],
    );
    return rows.map(toExport);
  }

  async update(
    id: string,
    patch: Partial<Pick<BillingExport, 'phase' | 'detail' | 'location' | 'lines' | 'bytes' | 'sha256'>> & {
      completed?: boolean;
    },
  ): Promise<void> {
    const { completed, ...fields } = patch;
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const sets = entries.map(([k], i) => `${k} = $${i + 2}`);
    if (completed) sets.push('completed_at = now()');
    if (!sets.length) return;
    await this.db.query(`UPDATE billing_exports SET ${sets.join(', ')} WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => v),
    ]);
  }
}
