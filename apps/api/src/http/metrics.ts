import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLSchema } from "graphql";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { contractCode } from "../graphql/format-error.ts";

/** Prometheus metrics of one API process: GraphQL requests and latencies by operation, errors by code, HTTP routes. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly graphqlRequests = new Counter({
    name: "costgate_graphql_requests_total",
    help: "GraphQL operations by name and outcome",
    labelNames: ["operation", "outcome"] as const,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: "costgate_graphql_request_duration_seconds",
    help: "GraphQL operation latency",
    labelNames: ["operation"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly graphqlErrors = new Counter({
    name: "costgate_graphql_errors_total",
    help: "GraphQL errors by code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: "costgate_http_requests_total",
    help: "HTTP requests outside GraphQL by route and status",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });

  /** Every HTTP request, GraphQL included: route pattern (or `unmatched`) and status class (2xx...5xx). */
  readonly httpDuration = new Histogram({
    name: "costgate_http_request_duration_seconds",
    help: "HTTP request latency by route and status class",
    labelNames: ["route", "status_class"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "costgate_api_" });
  }

  /**
   * Operations are labelled by their first root field when the schema has it, else `other`:
   * operation names are chosen by (anonymous) clients, so as labels they would add series
   * without bound; the schema's root fields are a fixed set.
   */
  plugin(schema: GraphQLSchema): ApolloServerPlugin {
    const known = new Set([
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ]);
    return {
      requestDidStart: async () => {
        const started = process.hrtime.bigint();
        return {
          willSendResponse: async ({ errors, operation }) => {
            const rootField = operation?.selectionSet.selections[0];
            const name =
              rootField?.kind === "Field" && known.has(rootField.name.value) ? rootField.name.value : "other";
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            this.graphqlDuration.labels(name).observe(seconds);
            this.graphqlRequests.labels(name, errors?.length ? "error" : "ok").inc();
            for (const e of errors ?? []) this.graphqlErrors.labels(contractCode(e, e.extensions?.code)).inc();
          },
        };
      },
    };
  }
}
