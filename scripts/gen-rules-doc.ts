import { writeFileSync } from 'node:fs';
import { renderRulesDoc } from '../src/report/rules-doc.js';
import { ALL_RULES } from '../src/scanners/rules.js';

writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRulesDoc(ALL_RULES));
process.stdout.write(`docs/rules.md: ${ALL_RULES.length} rules\n`);
