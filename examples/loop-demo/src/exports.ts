/**
 * Dataset versions as the registry exported them (`<exportUri minus file://>/data.jsonl`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One exported item. */
export interface ExportRecord {
  itemId: string;
  inputUri: string;
  label: string;
  split: 'train' | 'validation' | 'test';
}

/** The records of an export; empty when the files are gone. */
export function readExport(exportUri: string): ExportRecord[] {
  const file = path.join(exportUri.replace(/^file:\/\//, ''), 'data.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportRecord);
}
