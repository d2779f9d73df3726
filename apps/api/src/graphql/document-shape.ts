import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** What an operation asks for once every fragment is expanded. */
export interface Shape {
  /** Deepest nesting of fields with selections (a leaf under the root counts 0, `{ me { id } }` 1). */
  depth: number;
  /** Fields in total, every fragment spread counted each time it is spread. */
  fields: number;
  /** Aliased fields in total, counted like fields. */
  aliases: number;
  /** Fields at the top of the selection set (root fields, for an operation). */
  top: number;
}

/** Above this, counts are only "too many": keeps the arithmetic exact-free and finite. */
const CAP = 1e12;
const add = (a: number, b: number) => Math.min(CAP, a + b);

/**
 * Computes the expanded shape of each operation in one pass over the document: each fragment's
 * shape is computed once and reused wherever it is spread, so a fragment bomb (F1 spreads F2
 * twice, F2 spreads F3 twice, ...) costs time linear in the document, while its field count
 * (2^levels) is reported as it really is. A fragment that spreads itself (a cycle, refused by
 * graphql-js's NoFragmentCycles) counts as empty here.
 */
export function operationShapes(document: DocumentNode): Map<OperationDefinitionNode, Shape> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, Shape>();
  const inProgress = new Set<string>();
  const empty: Shape = { depth: 0, fields: 0, aliases: 0, top: 0 };

  const fragmentShape = (name: string): Shape => {
    const known = memo.get(name);
    if (known) return known;
    const frag = fragments.get(name);
    if (!frag || inProgress.has(name)) return empty;
    inProgress.add(name);
    const shape = shapeOf(frag.selectionSet);
    inProgress.delete(name);
    memo.set(name, shape);
    return shape;
  };

  const shapeOf = (set: SelectionSetNode): Shape => {
    const out: Shape = { depth: 0, fields: 0, aliases: 0, top: 0 };
    for (const sel of set.selections) {
      let inner: Shape;
      if (sel.kind === Kind.FIELD) {
        out.fields = add(out.fields, 1);
        out.top = add(out.top, 1);
        if (sel.alias) out.aliases = add(out.aliases, 1);
        if (!sel.selectionSet) continue;
        const child = shapeOf(sel.selectionSet);
        inner = { ...child, depth: child.depth + 1, top: 0 };
      } else {
        inner = sel.kind === Kind.INLINE_FRAGMENT ? shapeOf(sel.selectionSet) : fragmentShape(sel.name.value);
        out.top = add(out.top, inner.top);
      }
      out.depth = Math.max(out.depth, inner.depth);
      out.fields = add(out.fields, inner.fields);
      out.aliases = add(out.aliases, inner.aliases);
    }
    return out;
  };

  const shapes = new Map<OperationDefinitionNode, Shape>();
  for (const def of document.definitions)
    if (def.kind === Kind.OPERATION_DEFINITION) shapes.set(def, shapeOf(def.selectionSet));
  return shapes;
}
