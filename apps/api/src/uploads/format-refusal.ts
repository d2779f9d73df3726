import { badInput } from "@costgate/core";
import { translateFormatError } from "@costgate/formats";

/**
 * Runs a check of @costgate/formats (sync or async). A broken format rule is the uploader's to
 * fix: it is thrown as BAD_USER_INPUT with the rule's message as it is; other errors pass through.
 */
export function asBadInput<T>(check: () => T): T {
  return translateFormatError(check, (e) => badInput(e.message));
}
