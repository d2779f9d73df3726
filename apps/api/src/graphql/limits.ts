import type { ApolloServerPlugin } from "@apollo/server";
import { BREAK, GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type ValidationContext } from "graphql";
import { operationShapes } from "./document-shape.ts";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";

// http.status: thrown from a plugin hook, an error without it is answered with HTTP 500.
const tooComplex = (message: string) =>
  new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

export interface OperationLimits {
  maxDepth: number;
  /** Fields once every fragment is expanded (fragment bombs). */
  maxFields: number;
  /** Fragment definitions in one document. */
  maxFragments: number;
  /** Aliased fields in one operation (one request must not be 10,000 logins). */
  maxAliases: number;
  /** Fields at the root of one operation, fragments expanded. */
  maxRootFields: number;
}

/**
 * Validation rule: refuses documents with too many fragments and operations too deep, too
 * large once fragments are expanded, or with too many aliases or root fields. The whole check
 * runs when the document is entered, in time linear in its size (operationShapes memoises each
 * fragment), and reports at most one error per operation.
 */
export function operationLimits(limits: OperationLimits) {
  return (context: ValidationContext) => ({
    Document(node: DocumentNode) {
      const fragments = node.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).length;
      if (fragments > limits.maxFragments) {
        context.reportError(tooComplex(`The document has ${fragments} fragments; the limit is ${limits.maxFragments}`));
        return BREAK;
      }
      for (const shape of operationShapes(node).values()) {
        const problem =
          shape.depth > limits.maxDepth
            ? `Query is nested ${shape.depth} levels deep; the limit is ${limits.maxDepth}`
            : shape.fields > limits.maxFields
              ? `The operation selects ${shape.fields >= 1e12 ? "over 10^12" : shape.fields} fields once fragments are expanded; the limit is ${limits.maxFields}`
              : shape.top > limits.maxRootFields
                ? `The operation has ${shape.top} root fields; the limit is ${limits.maxRootFields}`
                : shape.aliases > limits.maxAliases
                  ? `The operation has ${shape.aliases} aliases; the limit is ${limits.maxAliases}`
                  : null;
        if (problem) context.reportError(tooComplex(problem));
      }
      return BREAK;
    },
  });
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

/** Costs kept per document, by operation and variables (past it, that document's are forgotten). */
const MAX_COSTS_PER_DOCUMENT = 256;

/** Apollo plugin: refuses operations whose estimated cost exceeds maxCost before they run. */
export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  // A cost depends only on the document, the operation and the variables, and Apollo hands the
  // same parsed document out again: the dashboard's documents, asked again and again with the
  // same variables, are costed once.
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const operationName = request.operationName ?? undefined;
          const variables = withoutLongLists(request.variables ?? {});
          const key = `${operationName ?? ""}\n${JSON.stringify(variables)}`;
          let costs = known.get(document);
          if (!costs) known.set(document, (costs = new Map()));
          let cost = costs.get(key);
          if (cost === undefined) {
            cost = costOf(schema, document, operationName, variables);
            if (costs.size >= MAX_COSTS_PER_DOCUMENT) costs.clear();
            costs.set(key, cost);
          }
          if (cost > maxCost)
            throw tooComplex(
              `Query costs ${cost}; the limit is ${maxCost}. Ask for smaller pages (first) or fewer nested fields.`,
            );
        },
      };
    },
  };
}

function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      operationName,
      variables,
      estimators: [paginatedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (e) {
    // getComplexity coerces the variables first and throws graphql-js's error (no code) for a
    // bad one, e.g. an unknown enum value; that is the client's mistake, not an internal error.
    if (e instanceof GraphQLError) throw tooComplex(e.message);
    throw e;
  }
}
