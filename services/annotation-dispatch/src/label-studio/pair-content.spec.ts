import { pairOf, resultHash, shownText } from './label-studio.connector';

describe('preference pairs in Label Studio', () => {
  it('shows a pair item as its prompt and two sides, and hands the same content back as content_text', () => {
    const data = pairOf('{"prompt":"Say hi","a":"Hello!","b":"Go away."}');
    expect(data).toEqual({ prompt: 'Say hi', a: 'Hello!', b: 'Go away.' });
    expect(JSON.parse(shownText({ data })!)).toEqual({ prompt: 'Say hi', a: 'Hello!', b: 'Go away.' });
  });

  it('shows content that is not a pair as the prompt, both sides empty', () => {
    expect(pairOf('plain text')).toEqual({ prompt: 'plain text', a: '', b: '' });
    expect(pairOf('{"prompt":"p","a":"x"}')).toEqual({ prompt: '{"prompt":"p","a":"x"}', a: '', b: '' });
  });

  it('knows no text for an image task', () => {
    expect(shownText({ data: { image: 'https://example.org/cat.jpg', item_id: 'i' } })).toBeUndefined();
  });
});

describe('resultHash', () => {
  const region = { from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['spam'] } };
  it('ignores what Label Studio adds around a region (ids, origin), not the answer', () => {
    expect(resultHash([{ ...region, id: 'x1', origin: 'manual' } as typeof region])).toBe(resultHash([region]));
    expect(resultHash([{ ...region, value: { choices: ['ham'] } }])).not.toBe(resultHash([region]));
  });
});
