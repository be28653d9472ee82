import { z } from 'zod';
import { SEVERITIES } from '../../core/severity.js';
import { PolicyError } from './errors.js';
import type { DenyEntry, PolicyOptions } from './options.js';
import { createPolicy } from './options.js';
import { DANGER_FAMILIES } from './policy.js';

const denyEntry = z.union([
  z.string(),
  z.strictObject({
    pattern: z.string(),
    family: z.enum(DANGER_FAMILIES).optional(),
    reason: z.string().min(1).optional(),
  }),
]);

/** The policy file (JSON). Unknown fields are errors, so a typo never silently weakens a policy. */
export const POLICY_FILE_SCHEMA = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional(),
  allow: z.array(z.string()).optional(),
  deny: z.array(denyEntry).optional(),
  unknownSeverity: z.enum(SEVERITIES).optional(),
  profiles: z.array(z.string()).optional(),
});

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[] = [],
): { field: string; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { field: fieldPath(path), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}` };
  }
  if (issue.code === 'invalid_union') {
    // A deny entry: report the object branch's problem when the value was an object, not "expected string".
    const branch = issue.errors.find((list) =>
      list.some((i) => i.code !== 'invalid_type' || i.path.length > 0),
    );
    const inner = branch?.[0];
    if (inner !== undefined) return describeIssue(inner, path);
    return {
      field: fieldPath(path),
      message:
        'expected a pattern string or { "pattern": string, "family"?: DangerFamily, "reason"?: string }',
    };
  }
  return { field: fieldPath(path), message: issue.message };
}

/**
 * Parses and validates a policy file. `sourceName` (usually the path) prefixes every error message.
 * Throws PolicyError naming the bad field; also checks patterns and profile ids by building the policy.
 */
export function loadPolicyFile(text: string, sourceName: string): PolicyOptions {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(
      sourceName,
      '',
      `not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      e,
    );
  }
  const parsed = POLICY_FILE_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const { field, message } = first === undefined ? { field: '', message: 'invalid' } : describeIssue(first);
    throw new PolicyError(sourceName, field, message, parsed.error);
  }
  const data = parsed.data;
  const options: PolicyOptions = {};
  if (data.allow !== undefined) options.allow = data.allow;
  if (data.deny !== undefined) {
    options.deny = data.deny.map((d): string | DenyEntry => {
      if (typeof d === 'string') return d;
      const entry: DenyEntry = { pattern: d.pattern };
      if (d.family !== undefined) entry.family = d.family;
      if (d.reason !== undefined) entry.reason = d.reason;
      return entry;
    });
  }
  if (data.unknownSeverity !== undefined) options.unknownSeverity = data.unknownSeverity;
  if (data.profiles !== undefined) options.profiles = data.profiles;
  createPolicy(options, sourceName); // validates patterns and profile ids with the same messages
  return options;
}
