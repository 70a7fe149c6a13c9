import { AUDIT_APPEND_FUNCTION } from './audit-log-guard.migration';

/** The roles of one stage's audit log. */
export interface AuditLogRoles {
  /** The stage's schema (e.g. `qa`). */
  schema: string;
  /** The login role the stage runs (and migrates) as. */
  serviceRole: string;
  /** A role nobody logs in as, owning the schema and the audit log (e.g. `labelloop_audit_owner`). */
  ownerRole: string;
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The statements an administrator runs once per stage, after its first migration, so the
 * stage's own login role can append to its audit log and do nothing else to it:
 * - the schema and the log belong to `ownerRole`: a table's owner, and its schema's owner,
 *   can disable its triggers, truncate or drop it; the service role keeps USAGE and CREATE
 *   on the schema, so it still creates (and owns) its other tables in later migrations;
 * - the service role reads the log and appends only through `audit_log_append` (SECURITY
 *   DEFINER, owned by `ownerRole`), which refuses anything but the chain's next entry.
 *
 * Run them as a superuser or a role that is a member of both roles (docs/runbook.md).
 */
export function auditLogGrants({ schema, serviceRole, ownerRole }: AuditLogRoles): string[] {
  const s = ident(schema);
  const svc = ident(serviceRole);
  const owner = ident(ownerRole);
  return [
    `ALTER SCHEMA ${s} OWNER TO ${owner}`,
    `GRANT USAGE, CREATE ON SCHEMA ${s} TO ${svc}`,
    `ALTER TABLE ${s}.audit_log OWNER TO ${owner}`,
    `ALTER FUNCTION ${s}.audit_log_append_only() OWNER TO ${owner}`,
    `ALTER FUNCTION ${s}.${AUDIT_APPEND_FUNCTION} OWNER TO ${owner}`,
    `REVOKE ALL ON ${s}.audit_log FROM PUBLIC, ${svc}`,
    `GRANT SELECT ON ${s}.audit_log TO ${svc}`,
    `REVOKE ALL ON FUNCTION ${s}.${AUDIT_APPEND_FUNCTION} FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION ${s}.${AUDIT_APPEND_FUNCTION} TO ${svc}`,
  ];
}
