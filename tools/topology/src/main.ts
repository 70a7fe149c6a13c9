/**
 * Writes the topic tables of README.md (consumes / emits / gRPC per service) and
 * docs/runbook.md (names per stage) from the code: `@Consumes` handlers, Outbox `emit` calls
 * and the gRPC services each main.ts adds. `--check` changes nothing and fails when a table
 * is stale (scripts/lint.sh runs it).
 *
 *   node tools/topology/dist/main.js [--check]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Topics } from '@labelloop/contracts';
import { noEdges, scanSource } from './scan';
import { replaceBetweenMarkers, servicesTable, ServiceTopology, stagesTable, TopicNamer } from './tables';

const SPEC = /\.(spec|integration-spec|e2e-spec)\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !SPEC.test(e.name) ? [p] : [];
  });
}

const order = Object.keys(Topics);
/** Where a service sits in the pipeline: its first emitted topic in `Topics` order (the constant lists them upstream first). */
const stage = (s: ServiceTopology): number => Math.min(order.length, ...s.emits.map((k) => order.indexOf(k)));

/** Every service under `root/services` (one with a src/main.ts), upstream first. */
export function scanServices(root: string): ServiceTopology[] {
  const dir = path.join(root, 'services');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(path.join(dir, e.name, 'src')).includes('main.ts'))
    .map((e) => {
      const edges = noEdges();
      for (const file of sourceFiles(path.join(dir, e.name, 'src'))) scanSource(file, readFileSync(file, 'utf8'), edges);
      return { name: e.name, ...edges };
    })
    .sort((a, b) => stage(a) - stage(b) || a.name.localeCompare(b.name));
}

/** `Topics` keys in the constant's order, written `entity.event`. */
export const topicNames: TopicNamer = (keys) => {
  for (const k of keys) if (!order.includes(k)) throw new Error(`Topics.${k} is not in libs/contracts/src/topics.ts`);
  return [...keys]
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((k) => Topics[k as keyof typeof Topics].replace(/^labelloop\./, '').replace(/\.v\d+$/, ''))
    .join(', ');
};

/** The documents and the tables they carry, rendered from `services`. */
export function renderDocs(root: string, services: ServiceTopology[]): { file: string; before: string; after: string }[] {
  const docs: [string, string, string][] = [
    ['README.md', 'services', servicesTable(services, topicNames)],
    ['docs/runbook.md', 'stages', stagesTable(services, topicNames)],
  ];
  return docs.map(([rel, marker, table]) => {
    const file = path.join(root, rel);
    const before = readFileSync(file, 'utf8');
    return { file: rel, before, after: replaceBetweenMarkers(before, marker, table) };
  });
}

function cli(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } }, strict: true });
  const root = path.resolve(__dirname, '../../..');
  const stale: string[] = [];
  for (const doc of renderDocs(root, scanServices(root))) {
    if (doc.after === doc.before) continue;
    if (values.check) stale.push(doc.file);
    else writeFileSync(path.join(root, doc.file), doc.after);
  }
  if (stale.length) {
    process.stderr.write(`topology: the topic tables of ${stale.join(' and ')} do not match the code; run \`npm run topology\` and commit the result\n`);
    process.exit(1);
  }
}

if (require.main === module) cli();
