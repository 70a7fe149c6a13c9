import { labelingFunction, RULE_LIMITS } from './labeling-function';

const spam = (when: unknown) => labelingFunction({ name: 'lf1', version: '1', label: 'spam', when }, ['spam', 'ham']);

describe('labeling functions vote or abstain', () => {
  it('keyword: whole words, case-insensitive by default', () => {
    const lf = spam({ keyword: { field: 'text', anyOf: ['free', 'winner'], wholeWord: true } });
    expect(lf.apply({ text: 'Get FREE money now' })).toBe('spam');
    expect(lf.apply({ text: 'freedom of speech' })).toBeUndefined();
    expect(lf.apply({})).toBeUndefined();
    expect(lf.annotator).toBe('machine:lf-lf1@1');
  });

  it('keyword: substrings and case when asked', () => {
    const lf = spam({ keyword: { field: 'text', anyOf: ['Viagra'], caseSensitive: true } });
    expect(lf.apply({ text: 'cheapViagra!' })).toBe('spam');
    expect(lf.apply({ text: 'cheap viagra' })).toBeUndefined();
  });

  it('regex, threshold and equals read text, features and metadata', () => {
    expect(spam({ regex: { field: 'metadata.subject', pattern: '^re:\\s*\\$\\d+', flags: 'i' } }).apply({ metadata: { subject: 'RE: $100 for you' } })).toBe(
      'spam',
    );
    const links = spam({ threshold: { field: 'features.links', op: 'gte', value: 5 } });
    expect(links.apply({ features: { links: 5 } })).toBe('spam');
    expect(links.apply({ features: { links: 4.9 } })).toBeUndefined();
    expect(links.apply({ metadata: { links: '9' } })).toBeUndefined();
    expect(spam({ equals: { field: 'metadata.lang', value: 'de' } }).apply({ metadata: { lang: 'de' } })).toBe('spam');
  });

  it('all / any / not combine conditions', () => {
    const lf = spam({
      all: [
        { any: [{ keyword: { field: 'text', anyOf: ['prize'] } }, { threshold: { field: 'features.links', op: 'gt', value: 3 } }] },
        { not: { equals: { field: 'metadata.sender', value: 'boss@example.com' } } },
      ],
    });
    expect(lf.apply({ text: 'your prize', metadata: { sender: 'x@y.z' } })).toBe('spam');
    expect(lf.apply({ text: 'your prize', metadata: { sender: 'boss@example.com' } })).toBeUndefined();
    expect(lf.apply({ text: 'hello', features: { links: 4 } })).toBe('spam');
  });

  it('does not read inherited properties as fields', () => {
    expect(spam({ equals: { field: 'metadata.constructor', value: 'x' } }).apply({ metadata: {} })).toBeUndefined();
  });
});

describe('a rule from the API is refused with the field named', () => {
  it('a regex that can backtrack catastrophically', () => {
    expect(() => spam({ regex: { field: 'text', pattern: '(a+)+$' } })).toThrow(/^when\.regex\.pattern: may backtrack catastrophically/);
  });

  it('a regex that does not compile', () => {
    expect(() => spam({ regex: { field: 'text', pattern: '(' } })).toThrow(/^when\.regex\.pattern: Invalid regular expression/);
  });

  it('too many conditions, or nested too deep', () => {
    const many = { any: Array.from({ length: RULE_LIMITS.nodes }, () => ({ equals: { field: 'text', value: 'x' } })) };
    expect(() => spam(many)).toThrow(/^when\.any\[63\]: more than 64 conditions/);
    let deep: unknown = { equals: { field: 'text', value: 'x' } };
    for (let i = 0; i < RULE_LIMITS.depth; i++) deep = { not: deep };
    expect(() => spam(deep)).toThrow(/nested deeper than 8/);
  });

  it('a label outside the project classes, an unknown field, a bad name', () => {
    expect(() => labelingFunction({ name: 'x', version: '1', label: 'eggs', when: { equals: { field: 'text', value: 'a' } } }, ['spam', 'ham'])).toThrow(
      'label: "eggs" is not in the project\'s classes (spam, ham)',
    );
    expect(() => spam({ equals: { field: 'headers.to', value: 'a' } })).toThrow('when.equals.field: must be "text", "features.<name>" or "metadata.<key>"');
    expect(() => spam({ regex: { field: 'text', pattern: 'a', flags: 'g' } })).toThrow(/^when\.regex\.flags: Invalid enum value/);
    expect(() => spam({ threshold: { field: 'text', op: 'gt', value: 1 } })).toThrow('when.threshold.field: a threshold reads a numeric "features.<name>"');
    expect(() => labelingFunction({ name: 'Bad Name', version: '1', label: 'spam', when: { equals: { field: 'text', value: 'a' } } })).toThrow(
      /^name: must be 1-63/,
    );
    expect(() =>
      labelingFunction({ name: 'ok', version: '1', label: 'spam', when: { equals: { field: 'text', value: 'a' } }, code: 'process.exit()' }),
    ).toThrow("rule: Unrecognized key(s) in object: 'code'");
  });
});
