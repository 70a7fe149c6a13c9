/**
 * Annotator identities. A machine annotator (labeling function, model, LLM) answers through
 * AnnotatorService like a person, under `machine:<kind>-<name>@<version>`; the prefix is how
 * scorecards, audit entries and lineage tell its answers from a person's.
 */
export const MACHINE_ANNOTATOR_PREFIX = 'machine:';

/** True when the annotator id names a machine annotator. */
export function isMachineAnnotator(annotatorId: string): boolean {
  return annotatorId.startsWith(MACHINE_ANNOTATOR_PREFIX);
}
