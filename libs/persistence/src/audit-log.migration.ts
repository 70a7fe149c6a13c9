import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An append-only, hash-chained audit log in every service schema: each entry stores the hash
 * of the previous one, and a trigger refuses UPDATE and DELETE, so a change made behind the
 * application's back breaks the chain where it happened (see tools/audit-verify).
 */
export class CreateAuditLog1732325000000 implements MigrationInterface {
  name = 'CreateAuditLog1732325000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE audit_log (
        seq       bigint PRIMARY KEY,
        at        timestamptz NOT NULL,
        actor     text NOT NULL,
        action    text NOT NULL,
        subject   text NOT NULL,
        detail    jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash      text NOT NULL
      )`);
    await qr.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await qr.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE audit_log');
    await qr.query('DROP FUNCTION audit_log_append_only()');
  }
}
