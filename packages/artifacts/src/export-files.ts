import { join } from "node:path";

/**
 * Where a spend export's file lives: `<ARTIFACT_DIR>/exports/<id>.csv`, beside the store's
 * objects/ and staging/ (which the store's listing and collection never enter), so the worker that
 * writes it and the API that serves it reach the same volume. The id is a cuid: no path can escape.
 */
export function exportFilePath(artifactDir: string, exportId: string): string {
  if (!/^[a-z0-9]{8,40}$/i.test(exportId)) throw new TypeError(`not an export id: ${JSON.stringify(exportId.slice(0, 60))}`);
  return join(artifactDir, "exports", `${exportId}.csv`);
}
