import { describe, expect, it } from 'vitest';
import { ByteReader } from '../src/core/byte-reader.js';
import { TruncatedError } from '../src/core/errors.js';
import { atLeast, maxSeverity } from '../src/core/severity.js';

describe('ByteReader', () => {
  it('reads little-endian integers and refuses reads past the end', () => {
    const r = ByteReader.of(Uint8Array.from([1, 0, 2, 0, 0, 0, 0xff]));
    expect(r.u16le()).toBe(1);
    expect(r.u32le()).toBe(2);
    expect(r.remaining).toBe(1);
    expect(() => r.u16le()).toThrow(TruncatedError);
    expect(r.u8()).toBe(0xff);
    expect(r.atEnd).toBe(true);
  });
  it('reads lines within a bound', () => {
    const r = ByteReader.of(new TextEncoder().encode('abc\nlonglonglong\n'));
    expect(new TextDecoder().decode(r.line(10))).toBe('abc');
    expect(() => r.line(5)).toThrow(/longer than 5/);
  });
});

describe('severity', () => {
  it('orders severities', () => {
    expect(atLeast('critical', 'high')).toBe(true);
    expect(atLeast('medium', 'high')).toBe(false);
    expect(maxSeverity(['low', 'high', 'medium'])).toBe('high');
  });
});
