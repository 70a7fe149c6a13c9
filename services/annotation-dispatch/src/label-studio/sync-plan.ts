import type { LsAnnotation, LsTask } from './label-studio.client';

/**
 * Of the items due for import, the ones Label Studio does not have yet. Every due item is then
 * recorded as imported, but only these are sent: an item already in the project (imported by
 * a sync whose bookkeeping was lost in a crash) is not imported twice.
 */
export function itemsToImport<T extends { item_id: string }>(due: T[], lsTasks: LsTask[]): T[] {
  const inLs = new Set(lsTasks.map((t) => t.data.item_id).filter((x): x is string => typeof x === 'string'));
  return due.filter((d) => !inLs.has(d.item_id));
}

/** The LabelLoop annotator id of a Label Studio annotation's author (`label-studio:<user id>`). */
export function lsAnnotatorId(a: Pick<LsAnnotation, 'completed_by'>): string {
  const userId = typeof a.completed_by === 'object' && a.completed_by !== null ? a.completed_by.id : a.completed_by;
  return `label-studio:${userId ?? 'unknown'}`;
}
