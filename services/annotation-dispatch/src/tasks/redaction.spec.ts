import { annotatorText } from './redaction';

describe('annotatorText', () => {
  const text = 'Call (415) 555-0132 or mail jane.doe@example.com';

  it('redacts personal data by default', () => {
    expect(annotatorText(text, 'spam', [])).toBe('Call [REDACTED:phone] or mail [REDACTED:email]');
  });

  it('leaves the text of a project that turned redaction off', () => {
    expect(annotatorText(text, 'spam', ['spam'])).toBe(text);
    expect(annotatorText(text, 'other', ['spam'])).toBe('Call [REDACTED:phone] or mail [REDACTED:email]');
  });
});
