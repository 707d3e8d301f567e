import { type StoredView, ViewRepository } from '@riffle/application';
import type { SqlResolvedColumn } from '@riffle/domain';
import type { DataSource } from 'typeorm';

interface ViewRow {
  kafka_cluster_id: string;
  name: string;
  query: string;
  session_catalog: string;
  session_database: string;
  column_names: string[];
  reads: string[][];
  schema: SqlResolvedColumn[];
  comment: string | null;
}

const toView = (r: ViewRow): StoredView => ({
  clusterId: r.kafka_cluster_id,
  name: r.name,
  query: r.query,
  sessionCatalog: r.session_catalog,
  sessionDatabase: r.session_database,
  columnNames: r.column_names,
  reads: r.reads,
  schema: r.schema,
  ...(r.comment === null ? {} : { comment: r.comment }),
});

/** Views in Postgres (`views`, keyed by Kafka cluster and name; a cluster's views go with it). */
export class SqlViewRepository extends ViewRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async find(clusterId: string, name: string): Promise<StoredView | undefined> {
    const rows: ViewRow[] = await this.db.query(
      'SELECT * FROM views WHERE kafka_cluster_id = $1 AND name = $2',
      [clusterId, name],
    );
    return rows[0] ? toView(rows[0]) : undefined;
  }

  async list(clusterId: string): Promise<StoredView[]> {
    const rows: ViewRow[] = await this.db.query(
      'SELECT * FROM views WHERE kafka_cluster_id = $1 ORDER BY name',
      [clusterId],
    );
    return rows.map(toView);
  }

  async create(view: StoredView): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO views (kafka_cluster_id, name, query, session_catalog, session_database, column_names, reads, schema, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING name`,
      [
        view.clusterId,
        view.name,
        view.query,
        view.sessionCatalog,
        view.sessionDatabase,
        JSON.stringify(view.columnNames),
        JSON.stringify(view.reads),
        JSON.stringify(view.schema),
        view.comment ?? null,
      ],
    );
    return rows.length > 0;
  }

  async delete(clusterId: string, name: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      'DELETE FROM views WHERE kafka_cluster_id = $1 AND name = $2 RETURNING name',
      [clusterId, name],
    );
    // TypeORM answers DELETE … RETURNING with [rows, affected]
    const affected = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    return affected > 0;
  }
}
