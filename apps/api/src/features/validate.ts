import type { z } from "zod";
import { badInput } from "@costgate/core";

/** Parses input with zod; the first problem becomes BAD_USER_INPUT naming the field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  throw badInput(field ? `${field}: ${issue.message}` : issue.message, {
    field: field || undefined,
    issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}
