import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Since when a cell has held no job: idle cells are stopped after the fleet's cool-down. */
export class CellIdle1763800800000 implements MigrationInterface {
  name = 'CellIdle1763800800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE flink_cells ADD COLUMN idle_since timestamptz NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE flink_cells DROP COLUMN idle_since');
  }
}
