/** A QA pause of an annotator in a project, as stored in annotator_pause. */
export interface QaPause {
  reason: string;
}

/**
 * The one rule on paused annotators, applied wherever work is handed out or an answer would be
 * stored: nextTask, submit over gRPC and HTTP/JSON, and Label Studio annotations (webhook and
 * polling). An annotator QA paused in a project gets no task there and none of their answers is
 * stored there until an admin resumes them. Checking only where tasks are handed out is not
 * enough: a lease taken just before the pause committed, and Label Studio annotators (who hold
 * no lease), would still get answers in.
 *
 * @returns the refusal to give (it names the project and QA's reason), or undefined when the
 *   annotator may go on.
 */
export function pauseRefusal(projectId: string, pause: QaPause | undefined): string | undefined {
  return pause ? `paused by QA in project ${projectId}: ${pause.reason}` : undefined;
}
