import { writeFileSync } from 'node:fs';
import { REPORT_RULES } from '../src/report/audit/report-rules.js';
import { renderRulesDoc } from '../src/report/rules-doc.js';

writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRulesDoc(REPORT_RULES));
process.stdout.write(`docs/rules.md: ${REPORT_RULES.length} rules\n`);
