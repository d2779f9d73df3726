import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Where to upload and as whom. */
export interface UploadTarget {
  url: string;
  adminToken: string;
}

/** POST /uploads with these files, as an internal tool does; throws with the API's message when refused. */
export async function uploadFiles(
  api: UploadTarget,
  kind: "model" | "dataset",
  paths: string[],
  token = api.adminToken,
): Promise<{ artifactId: string; sha256: string; sizeBytes: number }> {
  const form = new FormData();
  form.append("kind", kind);
  for (const p of paths) form.append("file", new Blob([await readFile(p)]), basename(p));
  const res = await fetch(`${api.url}/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as {
    artifactId: string;
    sha256: string;
    sizeBytes: number;
    error?: { message: string };
  };
  if (!res.ok) throw new Error(`upload refused (${res.status}): ${body.error?.message}`);
  return body;
}

/** Uploads a TensorFlow.js model folder: its model.json and the .bin weight files beside it. */
export async function uploadModelFolder(api: UploadTarget, modelJson: string, token?: string) {
  const dir = dirname(modelJson);
  const files = (await readdir(dir)).filter((f) => f === "model.json" || f.endsWith(".bin")).map((f) => join(dir, f));
  return uploadFiles(api, "model", files, token);
}
