export { type CodeRef, chatTemplatesOf, codeRefsOf, isHfConfigName, parseClassRef } from './code-refs.js';
export { EXECUTABLE_HEAD_BYTES, type ExecutableKind, executableKind } from './executables.js';
export { isSafetensors, PICKLE_FORMATS, type PickleNote, picklesAlongsideSafetensors } from './pickles.js';
export { HF_REPO_RULES } from './rules.js';
export { HfRepoScanner, hfRepoScanner } from './scanner.js';
