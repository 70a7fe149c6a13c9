import { loadSpamAssassin } from '@labelloop/text-model';
import { findPii, luhnValid, redactRecord, redactText } from './redact';

describe('PII redaction', () => {
  it('finds and replaces e-mail addresses, phone numbers, Luhn-valid card numbers and IPs', () => {
    const text = 'Mail jane.doe@example.co.uk or call (415) 555-0132 / +44 20 7946 0958; card 4111 1111 1111 1111, not 4111 1111 1111 1112; from 192.168.10.7.';
    const { text: out, findings } = redactText(text);
    expect(findings.map((f) => f.kind)).toEqual(['email', 'phone', 'phone', 'card', 'ipv4']);
    expect(out).toBe('Mail [REDACTED:email] or call [REDACTED:phone] / [REDACTED:phone]; card [REDACTED:card], not 4111 1111 1111 1112; from [REDACTED:ipv4].');
  });

  it('checks card numbers with Luhn (test numbers from the card networks)', () => {
    expect(['4111111111111111', '5500000000000004', '340000000000009'].every(luhnValid)).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('applies field rules before text rules', () => {
    expect(
      redactRecord({ from: 'a@b.org', subject: 'hi a@b.org', sender_name: 'Jane' }, [
        { field: 'from', action: 'drop' },
        { field: /name$/, action: 'mask' },
      ]),
    ).toEqual({
      subject: 'hi [REDACTED:email]',
      sender_name: '[REDACTED]',
    });
  });

  it('leaves no e-mail address in the SpamAssassin corpus after redaction', () => {
    // The corpus is full of addresses: every message that had one has none afterwards.
    const mails = loadSpamAssassin({ keepHeaders: true }).slice(0, 600);
    const email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
    const withAddress = mails.filter((m) => email.test(m.text));
    expect(withAddress.length).toBeGreaterThan(500);
    const redacted = withAddress.map((m) => redactText(m.text).text);
    expect(redacted.filter((t) => email.test(t))).toHaveLength(0);
    const found = withAddress.reduce((n, m) => n + findPii(m.text, ['email']).length, 0);
    expect(found).toBeGreaterThan(withAddress.length);
  });
});
