import { createRequire } from 'node:module';
import type { Language, Node, Parser, Query, Tree } from 'web-tree-sitter';

/**
 * tree-sitter-python, loaded on first use only (a scan without Python files never pays for the wasm).
 * One parser is shared: scans run one file at a time.
 */
export interface PythonGrammar {
  readonly parser: Parser;
  readonly language: Language;
  /** Imports, assignments and definitions (pass 1). */
  readonly bindings: Query;
  /** Calls, attribute chains and Python 2 exec statements (pass 2). */
  readonly uses: Query;
  readonly QueryClass: typeof Query;
}

const BINDINGS = `
(import_statement) @import
(import_from_statement) @from
(assignment) @assign
(named_expression) @walrus
(function_definition name: (identifier) @def)
(class_definition name: (identifier) @def)
`;

const USES = `
(call) @call
(attribute) @attr
(exec_statement) @exec
`;

let loading: Promise<PythonGrammar> | undefined;

/** Loads web-tree-sitter and the Python grammar once. Rejects if the wasm cannot be loaded. */
export function loadPythonGrammar(): Promise<PythonGrammar> {
  loading ??= (async () => {
    const ts = await import('web-tree-sitter');
    await ts.Parser.init();
    const require = createRequire(import.meta.url);
    const language = await ts.Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new ts.Parser();
    parser.setLanguage(language);
    return {
      parser,
      language,
      bindings: new ts.Query(language, BINDINGS),
      uses: new ts.Query(language, USES),
      QueryClass: ts.Query,
    };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

export type ParseOutcome = { tree: Tree } | { cancelled: true };

/** Parses `text`, giving up after `budgetMs` (the parser checks the callback periodically). */
export function parseWithBudget(g: PythonGrammar, text: string, budgetMs: number): ParseOutcome {
  const deadline = performance.now() + budgetMs;
  // The callback's boolean return cancels the parse (web-tree-sitter types it as void).
  const progressCallback = (() => performance.now() > deadline) as unknown as () => void;
  g.parser.reset();
  const tree = g.parser.parse(text, null, { progressCallback });
  if (tree === null) {
    g.parser.reset();
    return { cancelled: true };
  }
  return { tree };
}

export type { Node, Tree };
