import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_EXPORT_FORMATS, EXPORT_FORMATS, ExportFormat } from '../registry.config';
import { HASH_SCHEME, ItemRecord } from '../versions/content-address';
import { FormatWriter, openWriter } from './formats';
import type { ExportSink } from './sink';

/** One exported file, as listed in the manifest. */
export interface ExportFileInfo {
  name: string;
  format: ExportFormat | 'manifest';
  sha256: string;
  bytes: number;
  records: number;
  /** Items the format left out, and why (e.g. YOLO: box items without an image size). */
  skipped?: number;
  note?: string;
}

/** Where an export landed. */
export interface ExportResult {
  uri: string;
  manifestName: string;
  manifestSha256: string;
  /** Data files (the manifest is not among them). */
  files: ExportFileInfo[];
}

/** Formats in canonical order, without duplicates (none: the default four). */
export function normaliseFormats(formats: readonly string[]): ExportFormat[] {
  const set = new Set<string>(formats.length ? formats : DEFAULT_EXPORT_FORMATS);
  for (const f of set) if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new Error(`unknown export format ${JSON.stringify(f)}`);
  return EXPORT_FORMATS.filter((f) => set.has(f));
}

/**
 * The manifest's name: `manifest.json` for an export in the default four formats (jsonl, csv,
 * coco, parquet), else `manifest.<f1>+<f2>.json`, so an export in other formats never
 * overwrites the manifest whose checksum DatasetApproved announced.
 */
export function manifestNameOf(formats: ExportFormat[]): string {
  const isDefault = formats.length === DEFAULT_EXPORT_FORMATS.length && DEFAULT_EXPORT_FORMATS.every((f) => formats.includes(f));
  return isDefault ? 'manifest.json' : `manifest.${formats.join('+')}.json`;
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
  // Every file is written under its final relative name inside a temporary directory, then
  // renamed into place once all formats are complete.
  const tmpDir = path.join(dir, `.${tmpTag}`);
  try {
    await mkdir(tmpDir, { recursive: true });
    for (const f of formats) writers.push(await openWriter(f, tmpDir, { info, categories: req.categories ?? [] }));
    let records = 0;
    for await (const batch of batches) {
      records += batch.length;
      for (const w of writers) await w.write(batch);
    }
    const files: ExportFileInfo[] = [];
    for (const w of writers) {
      const out = await w.close();
      for (const file of out.files) {
        const target = path.join(dir, file.name);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(path.join(tmpDir, file.name), target);
        files.push({
          name: file.name,
          format: w.format,
          records: file.records,
          ...(await sha256File(target)),
          ...(out.skipped ? { skipped: out.skipped, note: out.note } : {}),
        });
      }
    }
    const manifestName = manifestNameOf(formats);
    const manifest =
      JSON.stringify(
        {
          datasetId: req.datasetId,
          versionId: req.versionId,
          hashScheme: HASH_SCHEME,
          order: 'sha256(item_id) ascending',
          records,
          files: files.map((f) => ({ name: f.name, format: f.format, sha256: f.sha256, bytes: f.bytes, records: f.records, skipped: f.skipped, note: f.note })),
        },
        null,
        2,
      ) + '\n';
    await writeFile(path.join(dir, `${manifestName}.${tmpTag}`), manifest);
    await rename(path.join(dir, `${manifestName}.${tmpTag}`), path.join(dir, manifestName));
    const uri = await sink.publish(req.datasetId, req.versionId, dir, [...files.map((f) => f.name), manifestName]);
    return { uri, manifestName, manifestSha256: createHash('sha256').update(manifest).digest('hex'), files };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
