// Streams a multipart upload from the browser to the API's POST /uploads with the session token
// (httpOnly, so the browser cannot send it to the API itself), then registers the artifact:
//   POST /api/uploads?register=version&modelId=…[&notes=…]          → registerModelVersion
//   POST /api/uploads?register=dataset&modelId=…&role=…[&name=…][&scale=…&mean=…&std=…] → registerDataset
//     (scale, mean and std, comma-separated numbers: an image dataset's preprocessing)
// Both happen in this one request, so a version is registered even if the person leaves the page
// as soon as the bytes are sent. The body is not buffered: the browser's upload progress is real.
import type { NextRequest } from "next/server";
import { ApiError, request } from "@/lib/api";
import { SESSION_COOKIE, uploadsUrl } from "@/lib/config";
import { RegisterDatasetMutation, RegisterModelVersionMutation } from "@/lib/operations";
import { isSameOrigin } from "@/lib/request-guards";
import type { DatasetRole, ImagePreprocessingInput, PixelScale } from "@/gql/graphql";

export const dynamic = "force-dynamic";

const fail = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status });
const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

export async function POST(req: NextRequest): Promise<Response> {
  // Only the dashboard's own pages may upload with its session cookie (no cross-site form posts).
  if (!isSameOrigin(req.headers))
    return fail(403, "FORBIDDEN", "Uploads are accepted from the dashboard's own pages only (Origin does not match)");
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return fail(401, "UNAUTHENTICATED", "Sign in first");
  const contentType = req.headers.get("content-type");
  if (!contentType || !req.body) return fail(400, "BAD_USER_INPUT", "Send the files as multipart/form-data");
  const params = req.nextUrl.searchParams;
  const register = params.get("register");
  const modelId = params.get("modelId") ?? "";
  const role = params.get("role");
  if (register && !modelId) return fail(400, "BAD_USER_INPUT", "modelId is required to register the upload");
  if (register === "dataset" && !isDatasetRole(role))
    return fail(400, "BAD_USER_INPUT", `role must be one of ${DATASET_ROLES.join(", ")}`);
  const preprocessing = preprocessingOf(params);
  if (typeof preprocessing === "string") return fail(400, "BAD_USER_INPUT", preprocessing);

  let res: Response;
  try {
    res = await fetch(uploadsUrl(), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": contentType },
      body: req.body,
      // @ts-expect-error -- undici needs duplex for a streamed request body; not in lib.dom's RequestInit yet
      duplex: "half",
    });
  } catch (error) {
    return fail(502, "API_UNAVAILABLE", `The Costgate API does not answer: ${(error as Error).message}`);
  }
  if (!register || !res.ok) {
    return new Response(res.body, {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
    });
  }

  const uploaded = (await res.json()) as { artifactId: string; sizeBytes: number };
  try {
    if (register === "version") {
      const { registerModelVersion: v } = await request(
        RegisterModelVersionMutation,
        { input: { modelId, artifactId: uploaded.artifactId, notes: params.get("notes") || null } },
        token,
      );
      return Response.json(
        {
          ...uploaded,
          versionNumber: v.number,
          message: `Version ${v.number} registered: it is being evaluated and measured.`,
        },
        { status: 201 },
      );
    }
    const name = params.get("name") || "dataset";
    const { registerDataset: d } = await request(
      RegisterDatasetMutation,
      { input: { modelId, artifactId: uploaded.artifactId, name, role: role as DatasetRole, preprocessing } },
      token,
    );
    const count = `${d.rows.toLocaleString("en-US")} ${d.format === "images" ? "images, decoded at the model's input size" : "rows"}`;
    return Response.json({ ...uploaded, message: `Dataset “${d.name}” registered (${count}).` }, { status: 201 });
  } catch (error) {
    if (error instanceof ApiError)
      return fail(STATUS[error.code] ?? 502, error.code, `Uploaded, but not registered: ${error.message}`);
    return fail(500, "INTERNAL_SERVER_ERROR", "Uploaded, but registering it failed");
  }
}

const DATASET_ROLES = ["TRAIN", "EVALUATION", "UNLABELED"] as const satisfies readonly DatasetRole[];
const SCALES = ["ZERO_ONE", "MINUS_ONE_ONE", "RAW"] as const satisfies readonly PixelScale[];

/** An image dataset's preprocessing from the query (null when none is given), or why it cannot be read. */
function preprocessingOf(params: URLSearchParams): ImagePreprocessingInput | null | string {
  const scale = params.get("scale");
  const numbers = (name: "mean" | "std"): number[] | null | string => {
    const text = params.get(name)?.trim();
    if (!text) return null;
    const values = text.split(/[,\s]+/).map(Number);
    return values.every(Number.isFinite)
      ? values
      : `${name} must be numbers separated by commas (e.g. 0.485, 0.456, 0.406)`;
  };
  const mean = numbers("mean");
  const std = numbers("std");
  if (typeof mean === "string") return mean;
  if (typeof std === "string") return std;
  if (!scale && !mean && !std) return null;
  if (scale && !(SCALES as readonly string[]).includes(scale)) return `scale must be one of ${SCALES.join(", ")}`;
  return { scale: (scale as PixelScale | null) ?? "ZERO_ONE", mean, std };
}
const isDatasetRole = (role: string | null): role is DatasetRole =>
  (DATASET_ROLES as readonly string[]).includes(role ?? "");
