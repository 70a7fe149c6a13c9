/**
 * The retrain webhook as LabelLoop's retrain-trigger calls it: a signed JSON POST.
 *
 * Headers: `x-labelloop-timestamp` (unix seconds), `x-labelloop-signature` =
 * `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`), `idempotency-key` = run id.
 * Answer 2xx to accept; 408/429/5xx make LabelLoop retry, other 4xx are final.
 */

/** What a launch asks for. */
export interface LaunchRequest {
  runId: string;
  modelId: string;
  datasetId: string;
  datasetVersionId: string;
  /** `file://<dir>`: the dataset version's export (`<dir>/data.jsonl`, `<dir>/manifest.json`). */
  exportUri: string;
}

/** Checks the HMAC signature and freshness of a webhook call (the scheme is defined in @labelloop/contracts). */
export { verifyWebhookSignature as verifySignature } from '@labelloop/contracts';

/** Parses and checks a launch body; returns the problem as a string when it is not one. */
export function parseLaunch(body: string): LaunchRequest | string {
  let b: Partial<LaunchRequest>;
  try {
    b = JSON.parse(body) as Partial<LaunchRequest>;
  } catch {
    return 'body is not JSON';
  }
  for (const k of ['runId', 'modelId', 'datasetId', 'datasetVersionId', 'exportUri'] as const) {
    if (typeof b[k] !== 'string' || !b[k]) return `${k} is required`;
  }
  if (!String(b.exportUri).startsWith('file://')) return `exportUri ${b.exportUri} is not a file:// URI`;
  return b as LaunchRequest;
}
