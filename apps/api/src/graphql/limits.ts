import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";

// http.status: thrown from a plugin hook, an error without it is answered with HTTP 500.
const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

/** Validation rule: refuses operations nested deeper than maxDepth (fragments followed, introspection counted). */
export function depthLimit(maxDepth: number) {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let max = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) max = Math.max(max, depthOf(sel.selectionSet, depth + (sel.selectionSet ? 1 : 0), seen));
        else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(sel.selectionSet, depth, seen));
        else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (frag && !seen.has(name)) max = Math.max(max, depthOf(frag.selectionSet, depth, new Set([...seen, name])));
        }
      }
      return max;
    };

    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > maxDepth) {
          context.reportError(tooComplex(`Query is nested ${depth} levels deep; the limit is ${maxDepth}`));
        }
      },
    };
  };
}

/**
 * Cost of a field: 1, plus its children's cost; list fields with `first` multiply their
 * children by it (a page of 100 models with their versions costs 100 × the version page).
 */
const paginatedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === "number" ? args.first : undefined;
  if (first !== undefined) return 1 + Math.max(1, first) * childComplexity;
  return undefined;
};

/**
 * The cost of an operation depends on its selections and on `first`-like scalar arguments, never
 * on the length of an input list; but getComplexity coerces every variable again (after Apollo
 * did), which for recordUsage's 10,000 records costs more than the insert. Long list variables
 * are counted as empty lists.
 */
function withoutLongLists(variables: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(variables)) {
    if (Array.isArray(v) && v.length > 100) (out ??= { ...variables })[k] = [];
  }
  return out ?? variables;
}

/** Apollo plugin: refuses operations whose estimated cost exceeds maxCost before they run. */
export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: withoutLongLists(request.variables ?? {}),
              estimators: [paginatedEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // getComplexity coerces the variables first and throws graphql-js's error (no code) for a
            // bad one, e.g. an unknown enum value; that is the client's mistake, not an internal error.
            if (e instanceof GraphQLError) throw tooComplex(e.message);
            throw e;
          }
          if (cost > maxCost) throw tooComplex(`Query costs ${cost}; the limit is ${maxCost}. Ask for smaller pages (first) or fewer nested fields.`);
        },
      };
    },
  };
}
