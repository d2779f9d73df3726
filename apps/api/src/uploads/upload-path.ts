import { checkRelativePath } from "@costgate/formats";
import { asBadInput } from "./format-refusal.ts";

/**
 * Checks a path that names a file inside an upload (a part's filename) and returns it normalised,
 * by the rule model.json's weight paths keep too (`checkRelativePath` of @costgate/formats).
 * `what` names the path in the message, e.g. `file`. Throws BAD_USER_INPUT saying why.
 */
export function checkUploadPath(raw: string, what: string): string {
  return asBadInput(() => checkRelativePath(raw, what));
}
