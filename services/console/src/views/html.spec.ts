import { html, SafeHtml } from './html';

describe('html', () => {
  it('escapes interpolated text and attribute values', () => {
    const name = `<script>alert("x")</script>`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>',
    );
  });

  it('keeps nested markup and joins arrays, dropping empty values', () => {
    const rows = ['a', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${rows}${undefined}${false}${new SafeHtml('<hr>')}</ul>`.value).toBe('<ul><li>a</li><li>b</li><hr></ul>');
  });
});
