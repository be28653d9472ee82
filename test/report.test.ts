import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pickleCall } from '../src/formats/pickle/assembler.js';
import { REPORT_RULES } from '../src/report/audit/report-rules.js';
import { renderJson } from '../src/report/json.js';
import { renderRulesDoc } from '../src/report/rules-doc.js';
import { renderSarif } from '../src/report/sarif.js';
import { renderText } from '../src/report/text.js';
import { scanPaths } from '../src/scanners/engine.js';
import { ALL_RULES } from '../src/scanners/rules.js';
import { reportValidator, sarifValidator } from './support/schemas.js';
import { tempDir } from './support/temp.js';

const tmp = tempDir();
const evil = tmp.write('models/evil.txt', pickleCall('posix', 'system', 'echo modelguard-test'));
tmp.write('models/README.md', '# just text\n');
tmp.write('models/odd.bin', pickleCall('mycompany.layers', 'Block'));

describe('report outputs', async () => {
  const report = await scanPaths([tmp.dir], { hash: true });

  it('JSON validates against schemas/report.schema.json', () => {
    const validate = reportValidator();
    const doc = JSON.parse(renderJson(report)) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('carries verdicts, hashes and taxonomy', () => {
    const a = report.artifacts.find((x) => x.path === evil);
    expect(a?.verdict).toBe('unsafe');
    expect(a?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.format).toContain('pickle');
    const f = report.findings.find((x) => x.location.path === evil && x.severity === 'critical');
    expect(f?.ruleId).toBe('pickle/dangerous-global');
    expect(f?.cwe).toContain('CWE-502');
    expect(f?.owasp).toContain('ML06:2023');
    expect(f?.evidence).toContain("posix.system('echo modelguard-test')");
    expect(report.artifacts.find((x) => x.path.endsWith('odd.bin'))?.verdict).toBe('suspicious');
    expect(report.artifacts.find((x) => x.path.endsWith('README.md'))?.verdict).toBe('safe');
    expect(report.summary.failed).toBe(true);
  });

  it('SARIF validates against the official 2.1.0 schema and has what code scanning needs', () => {
    const validate = sarifValidator();
    const sarif = JSON.parse(renderSarif(report, ALL_RULES, { baseDir: tmp.dir })) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    const rule = run?.tool.driver.rules.find((r) => r.id === 'pickle/dangerous-global');
    expect(rule?.properties['security-severity']).toBe('9.5');
    expect(rule?.properties['tags']).toContain('security');
    expect(rule?.properties['tags']).toContain('external/cwe/cwe-502');
    expect(
      run?.results.some((r) => r.locations[0]?.physicalLocation.artifactLocation.uri === 'models/evil.txt'),
    ).toBe(true);
  });

  it('text output names the file, the rule and the call', () => {
    const text = renderText(report, { color: false, verbose: false, showSafe: false });
    expect(text).toContain('evil.txt');
    expect(text).toContain('pickle/dangerous-global');
    expect(text).toContain("posix.system('echo modelguard-test')");
    expect(text).toMatch(/Result: FAIL/);
    expect(text).not.toContain('README.md');
  });
});

describe('rule registry', () => {
  it('has unique ids of the form <format>/<rule> with taxonomy', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ALL_RULES) {
      expect(r.id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.remediation.length).toBeGreaterThan(5);
      expect(r.cwe.length + r.atlas.length + r.owasp.length).toBeGreaterThan(0);
    }
  });

  it('docs/rules.md is in sync with the registry (npm run docs:rules)', () => {
    const committed = readFileSync(new URL('../docs/rules.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderRulesDoc(REPORT_RULES));
  });
});
