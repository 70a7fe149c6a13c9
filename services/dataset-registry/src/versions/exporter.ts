import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ItemRecord } from './content-address';

/** Where an export landed, and the checksum of its manifest. */
export interface ExportResult {
  uri: string;
  manifestSha256: string;
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Writes a version as JSONL plus a manifest of checksums to `<dir>/<dataset>/<version>/`.
 * The content is a function of the version id, so writing it again (a retried transaction)
 * produces the same files; each file is written to a temporary name and renamed.
 */
export async function exportJsonl(dir: string, datasetId: string, versionId: string, records: ItemRecord[]): Promise<ExportResult> {
  const target = path.join(dir, datasetId, versionId);
  await mkdir(target, { recursive: true });
  const sorted = [...records].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
  const data = sorted.map((r) => JSON.stringify(r)).join('\n') + (sorted.length ? '\n' : '');
  const manifest = JSON.stringify(
    { datasetId, versionId, format: 'jsonl', files: [{ name: 'data.jsonl', sha256: sha256(data), records: sorted.length }] },
    null,
    2,
  );
  await atomicWrite(path.join(target, 'data.jsonl'), data);
  await atomicWrite(path.join(target, 'manifest.json'), manifest);
  return { uri: `file://${target}`, manifestSha256: sha256(manifest) };
}

async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}
