import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ErrorCode, isAppError } from "@costgate/core";
import type { Logger } from "../logger.ts";

const CONTRACT_CODES = new Set<string>(Object.values(ErrorCode));
/** Apollo's own request-level codes, all of which mean the client sent something wrong. */
const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/** The contract code of any error raised while serving a GraphQL request. */
export function contractCode(error: unknown, rawCode: unknown): ErrorCode {
  const original = unwrapResolverError(error);
  if (isAppError(original)) return original.code;
  const code = String(rawCode ?? "");
  if (CONTRACT_CODES.has(code)) return code as ErrorCode;
  if (CLIENT_CODES.has(code)) return ErrorCode.BAD_USER_INPUT;
  return ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Maps every error to a contract code. AppError keeps its code, message and details;
 * client mistakes become BAD_USER_INPUT; anything else is INTERNAL_SERVER_ERROR with the
 * detail logged, never shown.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = contractCode(error, formatted.extensions?.code);
    const base = { locations: formatted.locations, path: formatted.path };
    if (isAppError(original))
      return { message: original.message, ...base, extensions: { code, ...(original.details ?? {}) } };
    if (code !== ErrorCode.INTERNAL_SERVER_ERROR) return { message: formatted.message, ...base, extensions: { code } };
    logger.error({ err: original, path: formatted.path }, "unexpected error in GraphQL request");
    return { message: "Internal server error", ...base, extensions: { code } };
  };
}
