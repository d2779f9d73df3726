// Server-side GraphQL client: every page, server action and route handler talks to the API
// through here, with the session token from the httpOnly cookie.
import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { SESSION_COOKIE, graphqlUrl } from "./config";
import type { ActionState } from "./form-state";

export type { ActionState } from "./form-state";

/** What the generated documents are: a string that carries its result and variables types. */
export interface TypedDocument<TResult, TVariables> {
  toString(): string;
  __apiType?: (variables: TVariables) => TResult;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function sessionToken(): Promise<string | null> {
  return (await cookies()).get(SESSION_COOKIE)?.value ?? null;
}

/**
 * The browser's address, for the API's login throttling (the API believes X-Forwarded-For from
 * the peers in its TRUST_PROXY). The dashboard's server (server.mjs) has already replaced the
 * header with the one address it counts: the TCP peer's, or the first untrusted hop behind the
 * proxies in DASHBOARD_TRUST_PROXY, never a value the browser chose.
 */
async function forwardedFor(): Promise<Record<string, string>> {
  try {
    const value = (await headers()).get("x-forwarded-for");
    return value ? { "x-forwarded-for": value } : {};
  } catch {
    return {}; // outside a request (build time): nothing to forward
  }
}

type Vars<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

/** Runs one operation; throws ApiError with the API's extensions.code on any error. */
export async function request<R, V>(doc: TypedDocument<R, V>, variables?: V, token?: string | null): Promise<R> {
  const bearer = token === undefined ? await sessionToken() : token;
  let res: Response;
  try {
    res = await fetch(graphqlUrl(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(await forwardedFor()),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(
      "API_UNAVAILABLE",
      `The Costgate API (${graphqlUrl()}) does not answer: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  let body: { data?: R | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError("INTERNAL_SERVER_ERROR", `The API answered HTTP ${res.status} without a GraphQL body`);
  }
  const first = body.errors?.[0];
  if (first)
    throw new ApiError(
      String(first.extensions?.code ?? "INTERNAL_SERVER_ERROR"),
      first.message,
      first.extensions ?? {},
    );
  if (!body.data) throw new ApiError("INTERNAL_SERVER_ERROR", `The API answered HTTP ${res.status} without data`);
  return body.data;
}

/**
 * For pages (server components): a missing or expired session goes to /login, NOT_FOUND and
 * FORBIDDEN to the not-found page; other errors reach the route's error boundary.
 */
export async function query<R, V>(doc: TypedDocument<R, V>, ...args: Vars<V>): Promise<R> {
  try {
    return await request(doc, args[0]);
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") redirect("/login?expired=1");
    // Another team's row is refused (FORBIDDEN); to the reader it is simply not there.
    if (error instanceof ApiError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) notFound();
    throw error;
  }
}

/** Maps an API error (field names from extensions.field) to a form state. */
export function errorState(
  error: unknown,
  values?: Record<string, string>,
  fieldMap: Record<string, string> = {},
): ActionState {
  if (error instanceof ApiError) {
    const field =
      typeof error.extensions.field === "string" ? error.extensions.field.replace(/^input\./, "") : undefined;
    const target = field ? (fieldMap[field] ?? field) : undefined;
    const message = error.code === "FORBIDDEN" ? `Not allowed: ${error.message}` : error.message;
    return {
      ok: false,
      code: error.code,
      message,
      values,
      fieldErrors: target ? { [target]: error.message } : undefined,
    };
  }
  return {
    ok: false,
    code: "INTERNAL_SERVER_ERROR",
    message: (error as Error)?.message ?? "Something went wrong",
    values,
  };
}

/** The result type of a generated document. */
export type ResultOf<D> = D extends TypedDocument<infer R, infer _V> ? R : never;
