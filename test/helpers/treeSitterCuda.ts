// tree-sitter-cuda (WASM, devDependency only) as a test oracle: the `__global__` function definitions
// and the `<<<` launch sites of a CUDA text, with UTF-16 offsets like ours. research/parsing.md:
// tree-sitter-cuda 0.21.1 ships an ABI-15 grammar, which needs web-tree-sitter >= 0.25; WASM trees
// must be freed with tree.delete().
import { Parser, Language, type Node, type Tree } from 'web-tree-sitter';

export interface TsKernel {
  name: string;
  /** Offset of the name. */
  offset: number;
}

export interface TsLaunch {
  /** Callee text without template arguments or namespace (`k` for `ns::k<float><<<...>>>`). */
  callee: string;
  /** Offset of `<<<`. */
  offset: number;
}

export interface TsFacts {
  kernels: TsKernel[];
  launches: TsLaunch[];
  /** ERROR and MISSING nodes in the tree. */
  errors: number;
}

let parser: Promise<Parser> | undefined;

export function loadParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const lang = await Language.load(require.resolve('tree-sitter-cuda/tree-sitter-cuda.wasm'));
    const p = new Parser();
    p.setLanguage(lang);
    return p;
  })();
  return parser;
}

/** Parses and extracts; the tree is deleted before returning. */
export function treeSitterFacts(p: Parser, text: string): TsFacts {
  const tree: Tree | null = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const out: TsFacts = { kernels: [], launches: [], errors: 0 };
    const cursor = tree.walk();
    // depth-first walk with the cursor; nodes are materialized only where needed
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'ERROR' || cursor.currentNode.isMissing) out.errors++;
      if (type === 'function_definition') {
        const fn = cursor.currentNode;
        if (fn.children.some(c => c?.type === '__global__')) {
          const id = declaredName(fn.childForFieldName('declarator'));
          if (id) out.kernels.push({ name: id.text, offset: id.startIndex });
        }
      } else if (type === 'kernel_call_syntax') {
        const k = cursor.currentNode;
        const callee = calleeName(k.parent?.childForFieldName('function') ?? null);
        out.launches.push({ callee: callee ?? '', offset: k.startIndex });
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          cursor.delete();
          return out;
        }
      }
    }
  } finally {
    tree.delete();
  }
}

/** The identifier a declarator declares (through pointer, reference and function declarators). */
function declaredName(d: Node | null): Node | null {
  while (d) {
    if (d.type === 'identifier' || d.type === 'field_identifier') return d;
    if (d.type === 'qualified_identifier') d = d.childForFieldName('name');
    else if (d.type === 'template_function') d = d.childForFieldName('name');
    else d = d.childForFieldName('declarator');
  }
  return null;
}

function calleeName(f: Node | null): string | null {
  while (f) {
    if (f.type === 'identifier' || f.type === 'field_identifier') return f.text;
    if (f.type === 'qualified_identifier' || f.type === 'template_function') f = f.childForFieldName('name');
    else if (f.type === 'parenthesized_expression') f = f.namedChild(0);
    else return f.text;
  }
  return null;
}
