/** Why an item's content could not be resolved (the metric's `reason` label). */
export type ContentFailure = 'no_resolver' | 'invalid_uri' | 'timeout' | 'too_large' | 'http_status' | 'network' | 'presign';

/** A content resolution that failed, with a message fit for the annotator's note and the log. */
export class ContentError extends Error {
  constructor(
    readonly reason: ContentFailure,
    message: string,
  ) {
    super(message);
  }
}
