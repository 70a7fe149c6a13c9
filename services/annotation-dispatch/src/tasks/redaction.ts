import { redactText } from '@labelloop/pii';

/**
 * The item text as an annotator is shown it, through the annotator API or Label Studio: e-mail
 * addresses, phone numbers, card numbers, IBANs and IPv4 addresses replaced by
 * `[REDACTED:<kind>]`, unless the project is one of `unredactedProjects`
 * (DISPATCH_PII_REDACTION_OFF). What the pipeline stores and passes on is not changed.
 */
export function annotatorText(text: string, projectId: string, unredactedProjects: readonly string[]): string {
  return unredactedProjects.includes(projectId) ? text : redactText(text).text;
}
