import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { FormattedExecutionResult } from "graphql";
import type { Context } from "../graphql/context.ts";
import { callerKey, scopesRead, scopesWritten } from "./cache-scopes.ts";
import type { Generations } from "./generations.ts";
import { cacheDeadline, ResponseStore } from "./response-store.ts";

export interface ResponseCacheOptions {
  /**
   * How long an answer is served again at most (RESPONSE_CACHE_SECONDS × 1000); 0: nothing is
   * cached, mutations still invalidate.
   */
  ttlMs: number;
  /** The share of `ttlMs` by which an answer may expire earlier, at random (RESPONSE_CACHE_SPREAD; `cacheDeadline`). */
  spread: number;
  generations: Generations;
  /** Memory this process may hold answers in. */
  maxBytes?: number;
  /** Redis did not answer: the query was answered without the cache, or a mutation could not invalidate. */
  onError: (err: Error, what: "read" | "invalidate") => void;
}

/**
 * Apollo plugin: a query's answer is served again, for at most `ttlMs`, to the same caller (session or
 * API key: `callerKey`) sending the same document, operation name and variables, as long as no
 * mutation through the API could have changed it since (`scopesRead`/`scopesWritten`, generations
 * in Redis read before the query runs). Answers with errors, mutations, anonymous callers: never.
 *
 * Apollo's @apollo/server-plugin-response-cache was not used: it shares every answer whose cache
 * hint is PUBLIC between all signed-in callers (a leak unless every type is hinted PRIVATE), and
 * knows no invalidation by mutations.
 */
export function responseCachePlugin(opts: ResponseCacheOptions): ApolloServerPlugin<Context> {
  const store = new ResponseStore<FormattedExecutionResult>(opts.maxBytes ?? 32 * 1024 * 1024);
  return {
    async requestDidStart() {
      /** Set on a miss: where the answer goes, and until when (counted from when the generations were read). */
      let miss: { key: string; until: number } | null = null;
      let mutation = false;
      return {
        async responseForOperation({ operation, operationName, queryHash, request, contextValue, metrics }) {
          const caller = contextValue.principal;
          // `operation` is typed as present here, but is not when operationName names none of the document's.
          if (opts.ttlMs <= 0 || operation?.operation !== "query" || !caller) return null;
          let generations: string;
          try {
            generations = await opts.generations.read(scopesRead(caller));
          } catch (err) {
            opts.onError(err as Error, "read");
            return null;
          }
          const now = Date.now();
          const key = [
            callerKey(caller),
            generations,
            queryHash,
            operationName ?? "",
            JSON.stringify(request.variables ?? {}),
          ].join("\n");
          const cached = store.get(key, now);
          if (!cached) {
            miss = { key, until: cacheDeadline(now, opts.ttlMs, opts.spread) };
            return null;
          }
          metrics.responseCacheHit = true;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: "single", singleResult: cached },
          };
        },
        async executionDidStart({ operation }) {
          mutation = operation?.operation === "mutation";
        },
        async willSendResponse({ response, contextValue }) {
          if (mutation) {
            // Before the response leaves: the caller's next query, in any API process, reads the new generations.
            await opts.generations.bump(scopesWritten(contextValue.principal)).catch((err: Error) => {
              // This process's answers may be stale: drop them. Other processes' live at most ttlMs.
              store.clear();
              opts.onError(err, "invalidate");
            });
            return;
          }
          if (!miss || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (result.errors?.length || (response.http.status ?? 200) !== 200 || !result.data) return;
          store.set(miss.key, result, JSON.stringify(result).length, miss.until);
        },
      };
    },
  };
}
