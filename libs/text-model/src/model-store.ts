/**
 * A model store as small as it gets: one JSON file per model version in a directory
 * (`<dir>/<version>.json`). A training job writes candidates there; an inference service
 * writes its initial model and loads whichever version is promoted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextClassifier } from './text-classifier';

/** Writes a model version atomically (temporary file + rename). */
export function saveModel(dir: string, version: string, model: TextClassifier): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${version}.json`);
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(model.toJSON()));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return file;
}

/** Loads a model version; throws when the store does not have it. */
export function loadModel(dir: string, version: string): TextClassifier {
  return TextClassifier.fromJSON(readFileSync(path.join(dir, `${version}.json`), 'utf8'));
}

/** The next free candidate version name (`v<n>`, one above the highest in the store). */
export function nextVersion(dir: string): string {
  let max = 1;
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^v(\d+)\.json$/.exec(f);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `v${max + 1}`;
}
