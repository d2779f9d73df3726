import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, visit, type DocumentNode } from "graphql";

const refuse = (message: string) =>
  new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

/** A NUL, or half of a surrogate pair: text PostgreSQL (and JSON consumers) refuse. */
// eslint-disable-next-line no-control-regex -- the NUL is what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(text: string): string | null {
  const m = UNSTORABLE.exec(text);
  if (!m) return null;
  return m[0] === "\u0000"
    ? "must not contain NUL (\\u0000) characters"
    : "must be valid Unicode (it holds half of a surrogate pair)";
}

/** The path of the first unstorable string in a variable's value, e.g. `$i.input[3].name`. */
function findInValue(value: unknown, path: string): { path: string; problem: string } | null {
  if (typeof value === "string") {
    const problem = problemOf(value);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findInValue(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const hit = findInKeyOrValue(k, v, path);
      if (hit) return hit;
    }
  }
  return null;
}
const findInKeyOrValue = (key: string, value: unknown, path: string) => {
  const keyProblem = problemOf(key);
  return keyProblem ? { path: `${path} (a key)`, problem: keyProblem } : findInValue(value, `${path}.${key}`);
};

/** Apollo keeps parsed documents and hands the same object out again: each is read once. */
const documentProblems = new WeakMap<DocumentNode, string | null>();

function findInDocument(document: DocumentNode): string | null {
  let found = documentProblems.get(document);
  if (found === undefined) documentProblems.set(document, (found = readDocument(document)));
  return found;
}

function readDocument(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      const problem = problemOf(node.value);
      if (problem && !found)
        found = `A string in the query (line ${node.loc ? node.loc.startToken.line : "?"}) ${problem}`;
    },
  });
  return found;
}

/**
 * Apollo plugin: every string input (variables and literals) must be storable text, so that a
 * NUL byte or a lone surrogate is the caller's BAD_USER_INPUT naming where it is, not an
 * INTERNAL_SERVER_ERROR from PostgreSQL. Subscriptions, which this API does not serve, are
 * refused the same way.
 */
export function inputTextPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (operation?.operation === "subscription")
            throw refuse("Subscriptions are not served; use a query or a mutation");
          const inDocument = findInDocument(document);
          if (inDocument) throw refuse(inDocument);
          for (const [name, value] of Object.entries(request.variables ?? {})) {
            const hit = findInValue(value, `$${name}`);
            if (hit) throw refuse(`Variable ${hit.path} ${hit.problem}`);
          }
        },
      };
    },
  };
}
