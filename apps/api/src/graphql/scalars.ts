import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { formatMoney, parseMoney } from "@costgate/core";

const inputError = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });

/** ISO-8601 instants, always answered in UTC. Inputs need an explicit offset or Z. */
export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  serialize(value) {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return d.toISOString();
  },
  parseValue(value) {
    return parseDateTime(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw inputError("DateTime must be a string like 2026-11-28T17:00:00Z");
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  if (
    typeof value !== "string" ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    throw inputError(
      `DateTime must be ISO-8601 with a time zone, like 2026-11-28T17:00:00Z (got ${JSON.stringify(value)})`,
    );
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw inputError(`DateTime ${value} is not a real instant`);
  return d;
}

/** Money as a string with up to 6 decimals. Inputs stay strings (validated); floats are refused. */
export const DecimalScalar = new GraphQLScalarType({
  name: "Decimal",
  serialize(value) {
    if (value === null || value === undefined) return null;
    return formatMoney(value as { toString(): string });
  },
  parseValue(value) {
    return checkDecimal(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw inputError('Decimal must be a string like "12.50", not a number');
    return checkDecimal(ast.value);
  },
});

function checkDecimal(value: unknown): string {
  try {
    return parseMoney(value).toFixed();
  } catch (e) {
    throw inputError((e as Error).message);
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
    switch (ast.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return ast.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(ast.value);
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return ast.values.map((v) => literal(v, variables));
      case Kind.OBJECT:
        return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
      case Kind.VARIABLE:
        return variables?.[ast.name.value];
      default:
        throw inputError("Unsupported JSON literal");
    }
  },
});
