import { badInput } from "@costgate/core";
import { isFormatError } from "@costgate/formats";

/**
 * What the API throws for an error of @costgate/formats: a broken format rule is the uploader's
 * to fix (BAD_USER_INPUT, the rule's message as it is); anything else stays what it was.
 */
export function toBadInput(e: unknown): unknown {
  return isFormatError(e) ? badInput(e.message) : e;
}

/** Runs a check of @costgate/formats, answering BAD_USER_INPUT when a rule is broken. */
export function asBadInput<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw toBadInput(e);
  }
}
