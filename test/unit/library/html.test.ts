import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../gateway/library/html.js';
import { catalogPage, loginPage } from '../../../gateway/library/pages.js';

describe('library pages: HTML escaping', () => {
  it('escapeHtml escapes every character that can break out of text or a quoted attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y' \``)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;',
    );
  });

  it('html escapes interpolated values, keeps nested html and raw markup, joins arrays, drops null/false', () => {
    const name = '<b>Ann</b>';
    const out = html`<p title="${name}">
      ${name} ${html`<i>${'a&b'}</i>`} ${raw('<br>')} ${['<', '>']}${null}${false}
    </p>`;
    expect(out.toString().replace(/\s*\n\s*/g, '')).toBe(
      '<p title="&lt;b&gt;Ann&lt;/b&gt;">&lt;b&gt;Ann&lt;/b&gt; <i>a&amp;b</i> <br> &lt;&gt;</p>',
    );
  });

  it('a book whose title, author and cover URL hold markup renders as text in the catalog page', () => {
    const page = catalogPage(
      { session: undefined, here: '/library/catalog?title=<x>' },
      { title: '"><script>alert(1)</script>' },
      [
        {
          book: {
            id: 'evil',
            title: '<img src=x onerror=alert(1)>',
            author: '</td><script>bad()</script>',
            copies: 1,
            coverUrl: 'https://example.org/" onload="alert(1)',
          },
          copies: 1,
          available: 1,
          heldByMe: false,
        },
      ],
    );
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('" onload="');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('next=%2Flibrary%2Fcatalog%3Ftitle%3D%3Cx%3E');
  });

  it('the login page escapes the values it shows again and the next path', () => {
    const page = loginPage({ session: undefined, here: '/x' }, '/library/"x', { firstName: '"><b>' });
    expect(page).toContain('value="&quot;&gt;&lt;b&gt;"');
    expect(page).toContain('value="/library/&quot;x"');
  });
});
