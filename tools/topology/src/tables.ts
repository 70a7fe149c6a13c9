import type { ServiceEdges } from './scan';

/** A service and what its code says it consumes, emits and serves. */
export interface ServiceTopology extends ServiceEdges {
  name: string;
}

/** Orders `Topics` keys as the `Topics` constant does and writes them short (`drift.detected`). */
export type TopicNamer = (keys: string[]) => string;

const cell = (items: string[]): string => (items.length ? items.join(', ') : '—');

/** The README table: consumes, emits and gRPC per service. */
export function servicesTable(services: ServiceTopology[], topics: TopicNamer): string {
  const rows = services.map((s) => `| ${s.name} | ${topics(s.consumes) || '—'} | ${topics(s.emits) || '—'} | ${cell(s.grpc.map((g) => `\`${g}\``))} |`);
  return ['| service | consumes | emits | gRPC |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The runbook table: the names an operator types (Deployment, consumer group, schema) and what each stage consumes. */
export function stagesTable(services: ServiceTopology[], topics: TopicNamer): string {
  const rows = services.map(
    (s) =>
      `| \`${s.name}\` | ${s.consumes.length ? `\`labelloop-${s.name}\`` : 'none'} | ${s.stateful ? `\`${s.name.replace(/-/g, '_')}\`` : 'none'} | ${topics(s.consumes) || '—'} |`,
  );
  return ['| stage (Deployment, Service) | consumer group | PostgreSQL schema | consumes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * Replaces what lies between `<!-- topology:NAME -->` and `<!-- /topology:NAME -->` in `doc`.
 * Throws when the markers are missing, so a moved table is noticed.
 */
export function replaceBetweenMarkers(doc: string, name: string, body: string): string {
  const open = `<!-- topology:${name} -->`;
  const close = `<!-- /topology:${name} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  if (start < 0 || end < start) throw new Error(`markers ${open} ... ${close} not found`);
  return `${doc.slice(0, start + open.length)}\n${body}\n${doc.slice(end)}`;
}
