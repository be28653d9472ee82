/**
 * ggml tensor types as GGUF files store them (ggml.h `enum ggml_type`), with the block geometry
 * ggml's type_traits give them: `blockSize` elements are stored in `typeSize` bytes. Ids 4, 5, 31–33
 * and 36–38 were removed (llama.cpp refuses them: their block size is 0).
 */
export interface GgmlType {
  id: number;
  name: string;
  blockSize: number;
  typeSize: number;
}

const QK_K = 256;

const TYPES: readonly (readonly [number, string, number, number])[] = [
  [0, 'F32', 1, 4],
  [1, 'F16', 1, 2],
  [2, 'Q4_0', 32, 2 + 16],
  [3, 'Q4_1', 32, 2 + 2 + 16],
  [6, 'Q5_0', 32, 2 + 4 + 16],
  [7, 'Q5_1', 32, 2 + 2 + 4 + 16],
  [8, 'Q8_0', 32, 2 + 32],
  // sizeof(block_q8_1) in ggml-common.h (gguf-py's table says 40, ggml itself uses 36).
  [9, 'Q8_1', 32, 2 + 2 + 32],
  [10, 'Q2_K', QK_K, 2 + 2 + QK_K / 16 + QK_K / 4],
  [11, 'Q3_K', QK_K, 2 + QK_K / 4 + QK_K / 8 + 12],
  [12, 'Q4_K', QK_K, 2 + 2 + QK_K / 2 + 12],
  [13, 'Q5_K', QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12],
  [14, 'Q6_K', QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16],
  [15, 'Q8_K', QK_K, 4 + QK_K + QK_K / 8],
  [16, 'IQ2_XXS', QK_K, 2 + QK_K / 4],
  [17, 'IQ2_XS', QK_K, 2 + QK_K / 4 + QK_K / 32],
  [18, 'IQ3_XXS', QK_K, 2 + QK_K / 4 + QK_K / 8],
  [19, 'IQ1_S', QK_K, 2 + QK_K / 8 + QK_K / 16],
  [20, 'IQ4_NL', 32, 2 + 16],
  [21, 'IQ3_S', QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4],
  [22, 'IQ2_S', QK_K, 2 + QK_K / 4 + QK_K / 16],
  [23, 'IQ4_XS', QK_K, 2 + 2 + QK_K / 2 + QK_K / 64],
  [24, 'I8', 1, 1],
  [25, 'I16', 1, 2],
  [26, 'I32', 1, 4],
  [27, 'I64', 1, 8],
  [28, 'F64', 1, 8],
  [29, 'IQ1_M', QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32],
  [30, 'BF16', 1, 2],
  [34, 'TQ1_0', QK_K, 2 + 4 * 13],
  [35, 'TQ2_0', QK_K, 2 + 64],
  [39, 'MXFP4', 32, 1 + 16],
  [40, 'NVFP4', 64, 4 + 32],
  [41, 'Q1_0', 128, 2 + 16],
];

export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  TYPES.map(([id, name, blockSize, typeSize]) => [id, { id, name, blockSize, typeSize }]),
);

/** Names of the ids ggml removed (files using them are refused). */
export const REMOVED_GGML_TYPES: ReadonlyMap<number, string> = new Map([
  [4, 'Q4_2'],
  [5, 'Q4_3'],
  [31, 'Q4_0_4_4'],
  [32, 'Q4_0_4_8'],
  [33, 'Q4_0_8_8'],
  [36, 'IQ4_NL_4_4'],
  [37, 'IQ4_NL_4_8'],
  [38, 'IQ4_NL_8_8'],
]);

export function ggmlType(id: number): GgmlType | undefined {
  return GGML_TYPES.get(id);
}
