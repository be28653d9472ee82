import { describe, expect, it } from 'vitest';
import { LimitError, ModelguardError } from '../../src/core/errors.js';
import { loadTabular, parseCsv, parseJsonl, TABULAR_LIMITS } from '../../src/ml/data/tabular.js';
import { tempDir } from '../support/temp.js';

function error(f: () => unknown): ModelguardError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelguardError);
    return e as ModelguardError;
  }
  throw new Error('expected an error');
}

describe('CSV', () => {
  it('reads features, the label column, quoting, CRLF and a text column', () => {
    const csv =
      'a,text,b,label\r\n1,"hello, ""world""",2.5,cat\r\n-3,"two\nlines",1e2,dog\r\n\r\n0.5,plain,7,cat\r\n';
    const ds = parseCsv(csv);
    expect(ds.x.shape).toEqual([3, 2]);
    expect(Array.from(ds.x.data)).toEqual([1, 2.5, -3, 100, 0.5, 7]);
    expect(ds.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(ds.y)).toEqual([0, 1, 0]);
    expect(ds.texts).toEqual(['hello, "world"', 'two\nlines', 'plain']);
    expect(ds.featureNames).toEqual(['a', 'b']);
  });

  it('takes integer labels as class indices, y or the last column by default, and --label', () => {
    expect(Array.from(parseCsv('f,y\n1,2\n2,0\n3,1\n').y)).toEqual([2, 0, 1]);
    const last = parseCsv('f,g,target\n1,2,1\n3,4,0\n');
    expect(last.featureNames).toEqual(['f', 'g']);
    expect(Array.from(last.y)).toEqual([1, 0]);
    const chosen = parseCsv('cls,f,g\nb,1,2\na,3,4\n', { label: 'cls', ignore: ['g'] });
    expect(chosen.featureNames).toEqual(['f']);
    expect(chosen.classNames).toEqual(['a', 'b']);
    expect(Array.from(chosen.y)).toEqual([1, 0]);
  });

  it('gives errors with line numbers', () => {
    expect(error(() => parseCsv('a,label\n1,0\n2\n', {}, 'd.csv')).message).toMatch(
      /^d\.csv:3: 1 fields, the header has 2 \(ragged row\)/,
    );
    expect(error(() => parseCsv('a,label\n1,0\n"x\ny",1\nz,0\n', {}, 'd.csv')).message).toMatch(
      /^d\.csv:3: feature 'a' is not a finite number/,
    );
    // The quoted newline moves the line count on.
    expect(error(() => parseCsv('t,a,label\n"x\ny",1,0\nz,,1\n', { text: 't' }, 'd.csv')).message).toMatch(
      /^d\.csv:4: feature 'a' is missing/,
    );
    expect(error(() => parseCsv('a,label\n1,0\n2,\n', {}, 'd.csv')).message).toBe('d.csv:3: missing label');
    expect(error(() => parseCsv('a,label\n1,"0\n', {}, 'd.csv')).message).toMatch(
      /d\.csv:2: quoted field is never closed/,
    );
    expect(error(() => parseCsv('a,label\n1,"0"x\n', {}, 'd.csv')).message).toMatch(
      /d\.csv:2: text after a closing quote/,
    );
    expect(error(() => parseCsv('a,label\n1,a"b\n', {}, 'd.csv')).message).toMatch(/d\.csv:2: quote inside/);
    expect(error(() => parseCsv('a,a,label\n1,2,0\n', {}, 'd.csv')).message).toMatch(
      /column 'a' appears twice/,
    );
    expect(error(() => parseCsv('a,label\n', {}, 'd.csv')).message).toBe('d.csv: no data rows');
    expect(error(() => parseCsv('', {}, 'd.csv')).message).toMatch(/empty file/);
    expect(error(() => parseCsv('a,b\n1,2\n', { label: 'c' }, 'd.csv')).message).toMatch(
      /no label column 'c'/,
    );
    expect(error(() => parseCsv('a,label\n1,0\n2,2\n', {}, 'd.csv')).message).toMatch(
      /class 1 has no samples \(empty class\)/,
    );
    expect(error(() => parseCsv('a,label\n1,x\n', { classNames: ['x', 'y'] }, 'd.csv')).message).toMatch(
      /class y has no samples/,
    );
    expect(error(() => parseCsv('a,label\n1,z\n', { classNames: ['x'] }, 'd.csv')).message).toMatch(
      /label 'z' is not one of the given classes/,
    );
    expect(error(() => parseCsv('a,label\nInfinity,0\n', {}, 'd.csv')).code).toBe('MALFORMED');
  });

  it('stops at the record-length limit', () => {
    const big = `a,label\n"${'x'.repeat(TABULAR_LIMITS.maxRecordChars + 10)}",0\n`;
    const e = error(() => parseCsv(big, { text: 'a' }, 'd.csv'));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).limit).toBe('maxRecordChars');
  });

  it('loads files by extension and refuses others', () => {
    const t = tempDir();
    const p = t.write('t.csv', 'a,label\n1,0\n2,1\n');
    expect(loadTabular(p).x.shape).toEqual([2, 1]);
    expect(error(() => loadTabular(t.write('t.tsv', 'a\tb\n'))).code).toBe('UNSUPPORTED');
    expect(error(() => loadTabular(`${t.dir}/missing.csv`)).code).toBe('IO');
  });
});

describe('JSONL', () => {
  it('reads numeric fields, a features array, or text', () => {
    const fields = parseJsonl('{"a":1,"b":2,"label":"x","id":"r1"}\n\n{"b":4,"a":3,"label":"y","id":"r2"}\n');
    expect(fields.featureNames).toEqual(['a', 'b']);
    expect(Array.from(fields.x.data)).toEqual([1, 2, 3, 4]);
    expect(fields.classNames).toEqual(['x', 'y']);
    const arr = parseJsonl('{"features":[1,2,3],"y":1}\n{"features":[4,5,6],"y":0}');
    expect(arr.x.shape).toEqual([2, 3]);
    expect(Array.from(arr.y)).toEqual([1, 0]);
    const text = parseJsonl('{"text":"hi there","label":0}\n{"text":"bye","label":1}\n');
    expect(text.x.shape).toEqual([2, 0]);
    expect(text.texts).toEqual(['hi there', 'bye']);
  });

  it('gives errors with line numbers', () => {
    const where = 'd.jsonl';
    expect(error(() => parseJsonl('{"a":1,"label":0}\n{"a":1,\n', {}, where)).message).toMatch(
      /^d\.jsonl:2: not valid JSON/,
    );
    expect(error(() => parseJsonl('{"a":1,"label":0}\n[1]\n', {}, where)).message).toBe(
      'd.jsonl:2: expected a JSON object',
    );
    expect(error(() => parseJsonl('{"a":1,"label":0}\n{"label":1}\n', {}, where)).message).toBe(
      "d.jsonl:2: feature 'a' is missing",
    );
    expect(error(() => parseJsonl('{"a":1,"label":0}\n{"a":"7","label":1}\n', {}, where)).message).toMatch(
      /^d\.jsonl:2: feature 'a' is not a finite number/,
    );
    expect(error(() => parseJsonl('{"a":1,"label":0}\n{"a":2}\n', {}, where)).message).toBe(
      'd.jsonl:2: missing label',
    );
    expect(error(() => parseJsonl('{"x":[1,2],"label":0}\n{"x":[1],"label":1}\n', {}, where)).message).toBe(
      'd.jsonl:2: 1 features, the first line has 2 (ragged row)',
    );
    expect(error(() => parseJsonl('{"a":1}\n', {}, where)).message).toMatch(/no label field/);
    expect(error(() => parseJsonl('{"text":"a","label":0}\n{"text":3,"label":1}\n', {}, where)).message).toBe(
      'd.jsonl:2: text is missing or not a string',
    );
    expect(error(() => parseJsonl('\n\n', {}, where)).message).toBe('d.jsonl: no data rows');
  });
});
