export {
  type AnalyzeOptions,
  analyzePython,
  PYTHON_LIMITS,
  type PyIssue,
  type PythonAnalysis,
  type PythonLimits,
} from './analyze.js';
export { type CallView, type Judgement, judge } from './judge.js';
export { loadPythonGrammar } from './parser.js';
export { qualified, type Ref } from './resolve.js';
export { REMOTE_CODE_RULES } from './rules.js';
