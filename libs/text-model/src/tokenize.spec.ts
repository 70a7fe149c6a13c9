import { tokenize } from './tokenize';

describe('tokenize', () => {
  it('lowercases and splits on non-word characters', () => {
    expect(tokenize('Hello, WORLD! Buy 100% <b>FREE</b> viagra-now')).toEqual(['hello', 'world', 'buy', '100', 'b', 'free', 'b', 'viagra', 'now']);
  });

  it('keeps apostrophe suffixes and Unicode letters', () => {
    expect(tokenize("Don't stop — it’s Café time")).toEqual(["don't", 'stop', "it's", 'café', 'time']);
  });

  it('drops over-long tokens and reads at most maxChars characters', () => {
    expect(tokenize(`a ${'x'.repeat(31)} b`)).toEqual(['a', 'b']);
    expect(tokenize(`a ${'x'.repeat(5)} b`, { maxTokenLength: 4 })).toEqual(['a', 'b']);
    expect(tokenize('abc def ghi', { maxChars: 5 })).toEqual(['abc', 'd']);
    expect(tokenize('')).toEqual([]);
  });
});
