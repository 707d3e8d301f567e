import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What ALTER TABLE stores with a table beyond its topic and subjects: a watermark other than the
 * default and the `scan.*` options its statements read it with. Keyed by cluster and topic; a cluster's
 * rows go with it.
 */
export class TableSettings1763800900000 implements MigrationInterface {
  name = 'TableSettings1763800900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE table_settings (
        kafka_cluster_id text NOT NULL REFERENCES kafka_clusters (id) ON DELETE CASCADE,
        topic text NOT NULL,
        watermark_column text NULL,
        watermark_expression text NULL,
        options jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kafka_cluster_id, topic),
        CHECK ((watermark_column IS NULL) = (watermark_expression IS NULL))
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE table_settings');
  }
}
