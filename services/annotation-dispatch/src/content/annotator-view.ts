import { annotatorText } from '../tasks/redaction';
import type { ItemContent } from './content.resolver';

/** An item as one annotator sees it: exactly one of `text` and `url` set, or `note` saying why neither. */
export interface AnnotatorView {
  text: string;
  url: string;
  note: string;
}

/**
 * The annotator's view of resolved content: text is redacted per project exactly as the input
 * URI is ({@link annotatorText}); a URL is passed on as it is (its content never passes through
 * the service, so there is nothing to redact here: projects with personal data in URL content
 * should have it fetched as text).
 */
export function annotatorView(c: ItemContent, projectId: string, unredactedProjects: readonly string[]): AnnotatorView {
  if (c.kind === 'text') return { text: annotatorText(c.text, projectId, unredactedProjects), url: '', note: '' };
  if (c.kind === 'url') return { text: '', url: c.url, note: '' };
  return { text: '', url: '', note: annotatorText(c.note, projectId, unredactedProjects) };
}

/**
 * The text a Label Studio text task shows: the content, or for an unresolved item its (redacted)
 * URI and the note, so the person sees which item it is and why its content is missing.
 */
export function displayText(view: AnnotatorView, redactedUri: string): string {
  if (view.note) return `${redactedUri}\n\n[LabelLoop: ${view.note}]`;
  return view.text || view.url;
}
