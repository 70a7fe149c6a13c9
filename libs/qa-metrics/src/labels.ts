/**
 * A categorical (or ordinal/numeric) annotation value.
 *
 * Strings and numbers are both accepted; a single call should not mix them, because the
 * ordering used wherever an order matters (sorted label sets, weighted kappa, ordinal alpha)
 * is numeric for numbers and code-unit lexicographic for strings.
 */
export type Label = string | number;

/** Identifier of an item (task, document, image…) or of an annotator. */
export type Id = string | number;

/**
 * Total order on labels used throughout the package: numbers before strings, numbers
 * ascending, strings by UTF-16 code units (the same order as `Array.prototype.sort()` on strings).
 *
 * @param a - first label
 * @param b - second label
 * @returns negative, zero or positive like any `sort` comparator
 */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The distinct labels of one or more arrays, sorted with {@link compareLabels}
 * (like `numpy.unique` of the concatenation). `null`/`undefined` entries are skipped.
 *
 * @param arrays - label arrays
 * @returns sorted distinct labels
 */
export function uniqueSortedLabels(...arrays: ReadonlyArray<ReadonlyArray<Label | null | undefined>>): Label[] {
  const seen = new Set<Label>();
  for (const arr of arrays) for (const v of arr) if (v !== null && v !== undefined) seen.add(v);
  return [...seen].sort(compareLabels);
}

/** @internal Throws if `v` is a number that is not finite (NaN would silently break counting). */
export function assertValidLabel(v: Label, where: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new RangeError(`${where}: labels must be finite numbers or strings, got ${v}`);
  }
  if (typeof v !== 'number' && typeof v !== 'string') {
    throw new TypeError(`${where}: labels must be strings or numbers, got ${typeof v}`);
  }
}
