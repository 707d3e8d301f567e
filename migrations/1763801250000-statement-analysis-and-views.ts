import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DESIGN §9.3: a statement is analysed once, by Flink's own parser (the SQL analyzer), when it is submitted;
 * `statements.analysis` keeps that analysis (kind, tables read and written, DDL as written, …) so the
 * scheduler and the catalog never parse the text again. NULL for statements stored before it existed.
 *
 * Views are persisted per environment, in the database (Kafka cluster) they were created in, so later
 * statements can read them: the query as written (with the catalog and database it was created under, so
 * its unqualified names keep resolving the same way: session_catalog and session_database), optional column names, and the columns Flink derived.
 * A cluster's views go with it. `reads` are the tables and views the view's query names (as written), so a
 * statement reading the view declares them too.
 *
 * Tables keep computed and metadata columns with their settings (`table_settings.columns`: CREATE TABLE and
 * ALTER TABLE declare them; the topic's schemas carry only the physical columns).
 */
export class StatementAnalysisAndViews1763801250000 implements MigrationInterface {
  name = 'StatementAnalysisAndViews1763801250000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE statements ADD COLUMN analysis jsonb NULL');
    await db.query(`ALTER TABLE table_settings ADD COLUMN columns jsonb NOT NULL DEFAULT '[]'`);
    await db.query(`
      CREATE TABLE views (
        kafka_cluster_id  text NOT NULL REFERENCES kafka_clusters (id) ON DELETE CASCADE,
        name              text NOT NULL,
        query             text NOT NULL,
        session_catalog   text NOT NULL,
        session_database  text NOT NULL,
        column_names      jsonb NOT NULL DEFAULT '[]',
        reads             jsonb NOT NULL DEFAULT '[]',
        schema            jsonb NOT NULL DEFAULT '[]',
        comment           text NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kafka_cluster_id, name)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE views');
    await db.query('ALTER TABLE table_settings DROP COLUMN columns');
    await db.query('ALTER TABLE statements DROP COLUMN analysis');
  }
}
