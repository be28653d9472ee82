/**
 * Validators for the vendored CycloneDX JSON schemas (../shared/schemas/cyclonedx, draft-07), in ajv's
 * strict mode except `strictRequired` (the schemas' `oneOf` branches require properties their parent
 * defines) and with the schemas' `meta:enum` annotation keyword declared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SCHEMAS = join(import.meta.dirname, '..', '..', '..', 'shared', 'schemas', 'cyclonedx');
// CommonJS default export seen from ESM under NodeNext.
const addFormats = addFormatsModule.default;

function load(name: string): object {
  return JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as object;
}

/** RFC 3987 IRI-reference, best effort: no whitespace or characters excluded from IRIs, and it resolves. */
function isIriReference(s: string): boolean {
  if (/[\s<>"{}|\\^`\u0000-\u001f\u007f]/.test(s)) return false;
  try {
    new URL(s, 'http://base.invalid/');
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, ValidateFunction>();

export function cyclonedxValidator(version: '1.5' | '1.6'): ValidateFunction {
  const hit = cache.get(version);
  if (hit !== undefined) return hit;
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword('meta:enum');
  ajv.addFormat('iri-reference', isIriReference);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
  ajv.addSchema(load('spdx.schema.json'));
  ajv.addSchema(load('jsf-0.82.schema.json'));
  const validate = ajv.compile(load(`bom-${version}.schema.json`));
  cache.set(version, validate);
  return validate;
}

/** Schema errors as readable lines (empty when valid). */
export function schemaErrors(doc: unknown, version: '1.5' | '1.6'): string[] {
  const validate = cyclonedxValidator(version);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
