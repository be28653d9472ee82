import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pickleCall } from '../src/formats/pickle/assembler.js';
import { escapeHtml, html } from '../src/report/html/escape.js';
import { renderHtml } from '../src/report/html.js';
import { scanPaths } from '../src/scanners/engine.js';
import { ALL_RULES } from '../src/scanners/rules.js';
import { tempDir } from './support/temp.js';

/** Attacker-chosen text in a file name, a pickle argument and a pickle module name. */
const tmp = tempDir();
const IMG_NAME = '"><img src=x onerror=window.__pwned=1>.pkl';
tmp.write(
  `evil/${IMG_NAME}`,
  pickleCall('posix', 'system', '"><img src=x onerror=window.__pwned=2><script>window.__pwned=3</script>'),
);
tmp.write('evil/report\u202Egnp.pkl', pickleCall('<script>window.__pwned=4</script>', 'Block'));
tmp.write('clean/weights.pkl', new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e]));
tmp.write('clean/README.md', '# a model\n');

/** Every tag of the page: all literal `<` are tags, since text and attribute values are escaped. */
function tags(page: string): string[] {
  return [...page.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => m[0]);
}

const ALLOWED_TAGS = new Set(
  'html head meta title style body script header main footer section article div p span h1 h2 h3 h4 ul ol li code pre a dl dt dd table thead tbody tr th td details summary label input svg path'.split(
    ' ',
  ),
);

function csp(page: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
  if (!m) throw new Error('no CSP meta tag');
  return m[1] as string;
}

function inlineHash(page: string, tag: 'style' | 'script'): string {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page);
  if (!m) throw new Error(`no <${tag}>`);
  return `'sha256-${createHash('sha256')
    .update(m[1] as string)
    .digest('base64')}'`;
}

describe('escaping', () => {
  it('escapes the five HTML specials and the backtick, and shows invisible characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
    expect(escapeHtml('evil\u202Egnp.pkl')).toBe('evil[U+202E]gnp.pkl');
    expect(escapeHtml('a\u0000b\u200Bc\u2028d')).toBe('a[U+0000]b[U+200B]c[U+2028]d');
    expect(escapeHtml('line1\nline2\ttab')).toBe('line1\nline2\ttab');
    expect(escapeHtml('lone \uD800 surrogate')).toBe('lone [U+D800] surrogate');
    expect(escapeHtml('emoji 😀 stays')).toBe('emoji 😀 stays');
  });

  it('the html template escapes values, joins arrays and keeps Html as is', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${['<', inner, null, false, undefined, 3]}</p>`.text).toBe(
      '<p title="&quot;x&quot;">&lt;<b>&lt;i&gt;</b>3</p>',
    );
  });
});

describe('HTML report of a scan with attacker-chosen names and evidence', async () => {
  const report = await scanPaths([`${tmp.dir}/evil`], { hash: true });
  const page = renderHtml(report);

  it('the hostile strings are in the report data (so the test means something)', () => {
    expect(report.findings.some((f) => f.location.path.endsWith(IMG_NAME))).toBe(true);
    expect(report.findings.some((f) => f.evidence?.includes('<script>window.__pwned=3</script>'))).toBe(true);
    expect(report.findings.some((f) => f.message.includes('<script>window.__pwned=4</script>'))).toBe(true);
  });

  it('renders them inert: only known tags, no event handlers, no src, links only to taxonomies', () => {
    const all = tags(page);
    expect(all.filter((t) => /^<script\b/i.test(t))).toEqual(['<script>']);
    for (const t of all) {
      const name = (/^<([a-zA-Z][\w-]*)/.exec(t) as RegExpExecArray)[1] as string;
      expect(ALLOWED_TAGS.has(name.toLowerCase()), t).toBe(true);
      expect(t, t).not.toMatch(/\son\w+\s*=/i);
      expect(t, t).not.toMatch(/\ssrc\s*=/i);
      const href = /\shref="([^"]*)"/.exec(t);
      if (href) expect(href[1], t).toMatch(/^https:\/\/(cwe|atlas)\.mitre\.org\//);
    }
    expect(page).toContain('&lt;script&gt;window.__pwned=4&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=window.__pwned=1&gt;.pkl');
    expect(page).not.toContain('\u202E');
    expect(page).toContain('report[U+202E]gnp.pkl');
  });

  it('has a strict CSP whose hashes are those of its own style and script, and nothing external', () => {
    const policy = csp(page);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).toContain("form-action 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain(`style-src ${inlineHash(page, 'style')}`);
    expect(policy).toContain(`script-src ${inlineHash(page, 'script')}`);
    expect(page).not.toMatch(/<link\b|@import|url\(/i);
  });

  it('shows the verdict first, then findings by severity with rule explanations, then the files', () => {
    const at = (s: string) => page.indexOf(s);
    expect(at('id="verdict"')).toBeGreaterThan(0);
    expect(at('id="verdict"')).toBeLessThan(at('id="findings"'));
    expect(at('id="findings"')).toBeLessThan(at('id="files"'));
    expect(page).toContain('data-verdict="fail">FAIL<');
    expect(page).not.toContain('id="signature"'); // a plain scan has no signature section
    expect(page).not.toContain('id="bom"');
    expect(at('data-severity="critical"')).toBeLessThan(at('data-severity="medium"'));
    const rule = ALL_RULES.find((r) => r.id === 'pickle/dangerous-global');
    expect(page).toContain(escapeHtml(rule?.title ?? '?'));
    expect(page).toContain(escapeHtml(rule?.remediation.split('`')[0] ?? '?'));
    expect(page).toContain('href="https://cwe.mitre.org/data/definitions/502.html"');
    expect(page).toContain('href="https://atlas.mitre.org/techniques/AML.T0010.003"');
    expect(page).toContain('ML06:2023');
  });

  it('has one finding row per finding and one file row per artifact', () => {
    expect(page.match(/<li class="finding"/g)?.length).toBe(report.findings.length);
    expect(page.match(/<tr data-verdict=/g)?.length).toBe(report.artifacts.length);
    expect(page).toContain('<details class="info-group">'); // info findings folded away
  });
});

describe('HTML report of a clean scan', async () => {
  const report = await scanPaths([`${tmp.dir}/clean`], { hash: true });
  const page = renderHtml(report);
  it('says PASS and that there are no findings', () => {
    expect(report.findings).toEqual([]);
    expect(page).toContain('data-verdict="pass">PASS<');
    expect(page).toContain('No findings.');
    expect(page).toContain(report.artifacts[0]?.sha256?.slice(0, 16) ?? '?');
  });
});
