import { MigrationInterface, QueryRunner } from 'typeorm';
import { appendAudit } from './audit-log';

/** The function every append goes through (see auditLogGrants). */
export const AUDIT_APPEND_FUNCTION = 'audit_log_append(bigint, timestamptz, text, text, text, jsonb, text, text)';

/**
 * Closes what the first audit-log migration left open:
 * - TRUNCATE bypassed the row trigger: a statement trigger now refuses it;
 * - appends go through `audit_log_append`, a SECURITY DEFINER function that only extends the
 *   chain (next seq, previous hash), so the service's login role needs no INSERT on the table
 *   and, once an administrator hands the table to an owner role (auditLogGrants), cannot
 *   change, disable or drop it;
 * - the log is never legitimately empty: this migration writes its first entry, so an empty
 *   or missing log is a deleted one (tools/audit-verify fails on it).
 */
export class GuardAuditLog1732700000000 implements MigrationInterface {
  name = 'GuardAuditLog1732700000000';

  async up(qr: QueryRunner): Promise<void> {
    const [{ schema }]: { schema: string }[] = await qr.query('SELECT current_schema() AS schema');
    await qr.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    await qr.query(`
      CREATE FUNCTION audit_log_append(p_seq bigint, p_at timestamptz, p_actor text, p_action text, p_subject text, p_detail jsonb, p_prev_hash text, p_hash text)
      RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
      DECLARE head_seq bigint; head_hash text;
      BEGIN
        SELECT seq, hash INTO head_seq, head_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
        IF p_seq IS DISTINCT FROM coalesce(head_seq, 0) + 1 OR p_prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
          RAISE EXCEPTION 'audit_log: entry % does not extend the chain (its head is entry %)', p_seq, coalesce(head_seq, 0);
        END IF;
        INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (p_seq, p_at, p_actor, p_action, p_subject, p_detail, p_prev_hash, p_hash);
      END $$`);
    await qr.query(`REVOKE ALL ON FUNCTION ${AUDIT_APPEND_FUNCTION} FROM PUBLIC`);
    await appendAudit(qr, { actor: 'migration', action: 'audit.log.guarded', subject: schema, detail: { truncate: 'refused', append: 'audit_log_append' } });
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP FUNCTION ${AUDIT_APPEND_FUNCTION}`);
    await qr.query('DROP TRIGGER audit_log_no_truncate ON audit_log');
  }
}
