import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { PrivateTargetError, addressProblem, guardedLookup, type TargetPolicy } from "@costgate/services";

/** What one POST got: the status code, or why there was none. */
export type PostResult = { statusCode: number } | { error: string; refused: boolean };

/**
 * POSTs a webhook body and answers the status code; follows no redirect (a 3xx is an answer).
 * The target is checked where the socket is opened: an IP literal as it is, a name through a
 * lookup that refuses unless every address it resolves to is allowed, so the connection goes to
 * an address that was checked. A refused target is `refused: true` (retrying cannot help).
 */
export function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: TargetPolicy,
): Promise<PostResult> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!policy.allowPrivate && isIP(host)) {
    const problem = addressProblem(host);
    if (problem) return Promise.resolve({ error: `refused: ${problem}`, refused: true });
  }
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(policy),
        timeout: timeoutMs,
      },
      (res) => {
        res.resume(); // the body is not read: only the status matters
        resolve({ statusCode: res.statusCode ?? 0 });
        req.destroy();
      },
    );
    const deadline = setTimeout(
      () => req.destroy(Object.assign(new Error("timeout"), { name: "TimeoutError" })),
      timeoutMs,
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { name: "TimeoutError" })));
    req.on("error", (e: Error & { code?: string }) => {
      if (e instanceof PrivateTargetError) resolve({ error: `refused: ${e.message}`, refused: true });
      else if (e.name === "TimeoutError") resolve({ error: `no answer within ${timeoutMs} ms`, refused: false });
      else resolve({ error: `request failed: ${e.code ?? e.message}`, refused: false });
    });
    req.on("close", () => clearTimeout(deadline));
    req.end(body);
  });
}
