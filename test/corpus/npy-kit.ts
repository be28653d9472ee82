/**
 * NumPy .npy bytes as np.save writes them (format 1.0; checked against test/fixtures/benign/object_plain.npy):
 * magic, version, u16 header length, a Python-literal header dict padded with spaces to a 64-byte
 * boundary and ending in '\n', then raw data — or, for dtype '|O', a protocol-3 pickle of the array.
 */
import { PickleAssembler } from '../../src/formats/pickle/assembler.js';
import { type Build, concat } from './pickle-kit.js';

export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const text = `${dict}${' '.repeat(total - unpadded)}\n`;
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(text.length, 8);
  return concat(Uint8Array.from(head), Uint8Array.from(Buffer.from(text, 'latin1')));
}

/**
 * The pickle np.save writes for a 1-d object array: numpy.core.multiarray._reconstruct(ndarray, (0,),
 * b'b'), then BUILD with (1, (n,), dtype('O8'), False, [elements]). Each `elements` entry pushes one
 * element (memo indices from 40 up are free for it).
 */
export function objectArrayPickle(elements: readonly Build[]): Uint8Array {
  const a = new PickleAssembler().proto(3);
  a.global('numpy.core.multiarray', '_reconstruct').binput(0).global('numpy', 'ndarray').binput(1);
  a.binint1(0).tuple1().binput(2).shortBinbytes([0x62]).binput(3).tuple3().binput(4).reduce().binput(5);
  a.mark().binint1(1).binint1(elements.length).tuple1().binput(6);
  a.global('numpy', 'dtype').binput(7).binunicode('O8').binput(8).bool(false).bool(true).tuple3().binput(9);
  a.reduce().binput(10).mark().binint1(3).binunicode('|').binput(11).none().none().none();
  a.binint(-1).binint(-1).binint1(63).tuple().binput(12).build();
  a.bool(false).emptyList().binput(13).mark();
  for (const push of elements) push(a);
  return a.appends().tuple().binput(14).build().stop().bytes();
}

export function objectNpy(elements: readonly Build[]): Uint8Array {
  return concat(npyHeader('|O', [elements.length]), objectArrayPickle(elements));
}

export function float32Npy(values: readonly number[]): Uint8Array {
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    data.writeFloatLE(v, i * 4);
  });
  return concat(npyHeader('<f4', [values.length]), Uint8Array.from(data));
}
