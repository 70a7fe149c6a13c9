import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EXPORT_FORMATS, ExportFormat } from '../registry.config';
import { HASH_SCHEME, ItemRecord } from '../versions/content-address';
import { FILE_NAMES, FormatWriter, openWriter } from './formats';
import type { ExportSink } from './sink';

/** One exported file, as listed in the manifest. */
export interface ExportFileInfo {
  name: string;
  format: ExportFormat | 'manifest';
  sha256: string;
  bytes: number;
  records: number;
}

/** Where an export landed. */
export interface ExportResult {
  uri: string;
  manifestName: string;
  manifestSha256: string;
  /** Data files (the manifest is not among them). */
  files: ExportFileInfo[];
}

/** Formats in canonical order, without duplicates. */
export function normaliseFormats(formats: readonly string[]): ExportFormat[] {
  const set = new Set(formats.length ? formats : EXPORT_FORMATS);
  for (const f of set) if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new Error(`unknown export format ${JSON.stringify(f)}`);
  return EXPORT_FORMATS.filter((f) => set.has(f));
}

/**
 * The manifest's name: `manifest.json` for an export in all four formats, else
 * `manifest.<f1>+<f2>.json`, so a partial export never overwrites the manifest whose
 * checksum DatasetApproved announced.
 */
export function manifestNameOf(formats: ExportFormat[]): string {
  return formats.length === EXPORT_FORMATS.length ? 'manifest.json' : `manifest.${formats.join('+')}.json`;
}

async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return { sha256: h.digest('hex'), bytes: (await stat(file)).size };
}

/**
 * Writes a version in `formats` plus a manifest of sha256 checksums, then publishes it
 * through `sink`. Records arrive in batches, in the trie's order (sha256 of the item id), and
 * are streamed into every format at once, so memory stays flat. The bytes are a function of
 * the version and the formats only (no timestamps), so writing it again — a retried
 * transaction, a second request — produces identical files; each file is written under a
 * temporary name and renamed.
 */
export async function writeExport(
  sink: ExportSink,
  req: { datasetId: string; versionId: string; formats: ExportFormat[]; categories?: string[] },
  batches: AsyncIterable<ItemRecord[]>,
): Promise<ExportResult> {
  const formats = normaliseFormats(req.formats);
  const dir = await sink.stage(req.datasetId, req.versionId);
  const tmpTag = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const info = {
    description: `LabelLoop dataset ${req.datasetId}`,
    version: req.versionId,
    contributor: 'labelloop dataset-registry',
    hash_scheme: HASH_SCHEME,
  };
  const writers: FormatWriter[] = [];
  try {
    for (const f of formats) writers.push(await openWriter(f, path.join(dir, `${FILE_NAMES[f]}.${tmpTag}`), { info, categories: req.categories ?? [] }));
    for await (const batch of batches) for (const w of writers) await w.write(batch);
    const files: ExportFileInfo[] = [];
    for (const w of writers) {
      const records = await w.close();
      const name = FILE_NAMES[w.format];
      await rename(path.join(dir, `${name}.${tmpTag}`), path.join(dir, name));
      files.push({ name, format: w.format, records, ...(await sha256File(path.join(dir, name))) });
    }
    const manifestName = manifestNameOf(formats);
    const manifest =
      JSON.stringify(
        {
          datasetId: req.datasetId,
          versionId: req.versionId,
          hashScheme: HASH_SCHEME,
          order: 'sha256(item_id) ascending',
          records: files[0]?.records ?? 0,
          files: files.map((f) => ({ name: f.name, format: f.format, sha256: f.sha256, bytes: f.bytes, records: f.records })),
        },
        null,
        2,
      ) + '\n';
    await writeFile(path.join(dir, `${manifestName}.${tmpTag}`), manifest);
    await rename(path.join(dir, `${manifestName}.${tmpTag}`), path.join(dir, manifestName));
    const uri = await sink.publish(req.datasetId, req.versionId, dir, [...files.map((f) => f.name), manifestName]);
    return { uri, manifestName, manifestSha256: createHash('sha256').update(manifest).digest('hex'), files };
  } catch (e) {
    for (const f of formats) {
      await rm(path.join(dir, `${FILE_NAMES[f]}.${tmpTag}`), { force: true });
      await rm(path.join(dir, `${FILE_NAMES[f]}.${tmpTag}.annotations`), { force: true });
    }
    throw e;
  }
}
