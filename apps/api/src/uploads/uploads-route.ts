import { open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Router, type Request, type Response } from "express";
import { AppError, ErrorCode, assertCan, badInput, isAppError, type Principal } from "@costgate/core";
import type { ArtifactKind, Db } from "@costgate/db";
import {
  DATASET_FILE,
  MODEL_JSON_FILE,
  artifactDigest,
  type ArtifactFile,
  type ArtifactStore,
} from "@costgate/artifacts";
import { ClientAbortedError, receiveMultipart, type ReceivedUpload, type UploadKind } from "./receive-multipart.ts";
import { SNIFF_BYTES, datasetFileKind } from "@costgate/formats";
import { validateImageArchive } from "../images/image-archive.ts";
import { asBadInput } from "./format-refusal.ts";
import { saveArtifact } from "./save-artifact.ts";
import {
  archiveLimits,
  formatBytes,
  resolveUploadLimits,
  type ResolvedUploadLimits,
  type UploadLimits,
} from "./upload-limits.ts";
import { validateDatasetFile } from "./validate-dataset-upload.ts";
import { validateModelUpload } from "./validate-model-upload.ts";

type LogFn = (...args: unknown[]) => void;

export interface UploadDeps {
  db: Db;
  store: ArtifactStore;
  limits: UploadLimits;
  /** Resolves the Authorization header to a Principal; throws AppError(UNAUTHENTICATED) when missing/invalid. */
  authenticate(req: Request): Promise<Principal>;
  logger?: { warn: LogFn; error: LogFn; info: LogFn };
}

interface UploadResult {
  artifactId: string;
  kind: ArtifactKind;
  sizeBytes: number;
  sha256: string;
}

/** 415 for a body that is not multipart at all; the code stays BAD_USER_INPUT. */
class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(ErrorCode.BAD_USER_INPUT, message);
  }
  override get httpStatus(): number {
    return 415;
  }
}

const CURL_HINT =
  'e.g. curl -H "Authorization: Bearer $TOKEN" -F kind=model -F "file=@model/model.json" -F "file=@model/group1-shard1of1.bin" <api>/uploads';

/**
 * POST /uploads: a TensorFlow.js LayersModel (model.json and the weight files it names) or a
 * dataset (a CSV, or a .zip/.tar/.tar.gz of images) as multipart/form-data. Authenticated before a byte of the body is read;
 * streamed into a staging folder with limits enforced as it arrives; validated; published
 * under its sha256; recorded as an Artifact with an audit event. 201 with
 * { artifactId, kind, sizeBytes, sha256 }, or 200 with the same when that content was
 * uploaded before. A refused or failed upload leaves no file and no row behind.
 */
export function createUploadsRouter(deps: UploadDeps): Router {
  const limits = resolveUploadLimits(deps.limits);
  const inFlight = new Map<string, number>();
  const router = Router();

  router.post("/uploads", async (req, res) => {
    let actor: string | null = null;
    try {
      const principal = await deps.authenticate(req);
      assertCan(principal, "POST /uploads");
      checkRequestShape(req, limits);

      const running = inFlight.get(principal.actor) ?? 0;
      if (running >= limits.maxConcurrentUploadsPerActor) {
        throw new AppError(
          ErrorCode.RATE_LIMITED,
          `you already have ${running} uploads in progress; wait for one to finish`,
        );
      }
      inFlight.set(principal.actor, running + 1);
      actor = principal.actor;

      const { result, created } = await handleUpload(deps, limits, req, principal);
      res.status(created ? 201 : 200).json(result);
    } catch (e) {
      sendError(req, res, e, deps.logger);
    } finally {
      if (actor !== null) {
        const left = (inFlight.get(actor) ?? 1) - 1;
        if (left > 0) inFlight.set(actor, left);
        else inFlight.delete(actor);
      }
    }
  });
  return router;
}

function checkRequestShape(req: Request, limits: ResolvedUploadLimits): void {
  const type = req.headers["content-type"];
  if (!type || !/^multipart\/form-data\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError(
      `POST /uploads takes multipart/form-data (got ${type ? `Content-Type ${type.split(";")[0]}` : "no Content-Type"}); ${CURL_HINT}`,
    );
  }
  // A declared length far over the limit is refused before reading anything.
  const declared = Number(req.headers["content-length"]);
  const slack = 1024 * 1024 + (limits.maxFiles + 8) * 4096; // part headers and boundaries
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes + slack) {
    throw new AppError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `the request body is ${formatBytes(declared)}; an upload may hold at most ${formatBytes(limits.maxTotalBytes)} of files`,
    );
  }
}

async function handleUpload(deps: UploadDeps, limits: ResolvedUploadLimits, req: Request, principal: Principal) {
  const staged = await deps.store.stage();
  try {
    const received = await receiveMultipart(req, staged, limits);
    const kind = uploadKind(received);
    const described =
      kind === "model"
        ? await describeModel(staged, received, limits)
        : await describeDataset(staged, received, limits);
    const artifactKind: ArtifactKind = kind === "model" ? "TFJS_LAYERS_MODEL" : "DATASET";
    const { artifact, created } = await saveArtifact(deps, principal, {
      kind: artifactKind,
      stagedDir: staged,
      teamQuotaBytes: limits.teamQuotaBytes,
      ...described,
    });
    deps.logger?.info(
      {
        artifactId: artifact.id,
        kind: artifactKind,
        sha256: artifact.sha256,
        sizeBytes: artifact.sizeBytes,
        created,
        actor: principal.actor,
      },
      "artifact uploaded",
    );
    const result: UploadResult = {
      artifactId: artifact.id,
      kind: artifact.kind,
      sizeBytes: artifact.sizeBytes,
      sha256: artifact.sha256,
    };
    return { result, created };
  } finally {
    // Published folders were renamed away; anything still here is a refused or failed upload.
    await deps.store
      .discard(staged)
      .catch((e: unknown) => deps.logger?.error({ err: e, staged }, "could not remove a staging folder"));
  }
}

function uploadKind(received: ReceivedUpload): UploadKind {
  const paths = received.files.map((f) => f.path);
  if (paths.length === 0) {
    throw badInput(
      `the upload has no file: send model.json and its weight files, or one CSV, as file parts (${CURL_HINT})`,
    );
  }
  if (received.kind) return received.kind;
  if (paths.includes(MODEL_JSON_FILE)) return "model";
  if (paths.length === 1 && /\.(csv|zip|tar|tar\.gz|tgz)$/i.test(paths[0]!)) return "dataset";
  throw badInput(
    `cannot tell whether this upload is a model or a dataset (files: ${paths.slice(0, 5).join(", ")}); send a kind field, -F kind=model or -F kind=dataset`,
  );
}

type Described = { sha256: string; sizeBytes: number; files: ArtifactFile[]; metadata: object };

async function describeModel(
  staged: string,
  received: ReceivedUpload,
  limits: ResolvedUploadLimits,
): Promise<Described> {
  const modelJson = received.files.find((f) => f.path === MODEL_JSON_FILE);
  if (!modelJson) {
    throw badInput(
      `a model upload needs a file named model.json at its top level (got ${received.files
        .map((f) => f.path)
        .slice(0, 5)
        .join(", ")})`,
    );
  }
  if (modelJson.sizeBytes > limits.maxModelJsonBytes) {
    throw new AppError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `model.json is ${formatBytes(modelJson.sizeBytes)}, over the limit of ${formatBytes(limits.maxModelJsonBytes)} for model.json`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(join(staged, MODEL_JSON_FILE)));
  } catch (e) {
    if (e instanceof TypeError) throw badInput("model.json is not valid UTF-8 text");
    throw e;
  }
  const metadata = validateModelUpload(text, received.files);
  return { ...(await digestOf(staged, received, metadata.files)), metadata };
}

async function describeDataset(
  staged: string,
  received: ReceivedUpload,
  limits: ResolvedUploadLimits,
): Promise<Described> {
  if (received.files.length !== 1) {
    throw badInput(
      `a dataset is one file (a CSV, or a .zip, .tar or .tar.gz of images); this upload has ${received.files.length} files (${received.files
        .map((f) => f.path)
        .slice(0, 5)
        .join(", ")})`,
    );
  }
  const original = received.files[0]!.path;
  const path = join(staged, original);
  // What the file is by its bytes: a PNG named .csv is "a PNG image, not a CSV", not a header error.
  const head = await headOf(path);
  const kind = asBadInput(() => datasetFileKind(original.split("/").at(-1)!, head));
  const metadata =
    kind === "csv"
      ? await validateDatasetFile(path, { maxLineBytes: limits.maxCsvLineBytes })
      : await asBadInput(() => validateImageArchive(path, kind, archiveLimits(limits)));
  // Stored under a fixed name, so an object's layout depends on its content alone.
  const stored = kind === "csv" ? DATASET_FILE : `images.${kind}`;
  if (original !== stored) {
    await rename(path, join(staged, stored));
    if (original.includes("/")) await rm(join(staged, original.split("/")[0]!), { recursive: true, force: true });
  }
  const renamed: ReceivedUpload = { ...received, files: [{ ...received.files[0]!, path: stored }] };
  return {
    ...(await digestOf(staged, renamed, [stored])),
    metadata: { ...metadata, originalFilename: original },
  };
}

/** The first bytes of a file (SNIFF_BYTES), to tell what it is. */
function headOf(path: string): Promise<Buffer> {
  return open(path, "r").then(async (fh) => {
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  });
}

/**
 * The digest rule (see @costgate/artifacts): sha256 of the files concatenated in canonical
 * order. The hash taken while streaming is it when the client sent the files in that order
 * (curl does, given them in that order); otherwise the files are read again in order.
 */
async function digestOf(
  staged: string,
  received: ReceivedUpload,
  canonical: string[],
): Promise<Omit<Described, "metadata">> {
  const byPath = new Map(received.files.map((f) => [f.path, f]));
  const inOrder = received.files.length === canonical.length && received.files.every((f, i) => f.path === canonical[i]);
  if (!inOrder) return artifactDigest(staged, canonical);
  const files = canonical.map((p) => byPath.get(p)!);
  return { sha256: received.arrivalSha256, sizeBytes: received.totalBytes, files };
}

function sendError(req: Request, res: Response, e: unknown, logger: UploadDeps["logger"]): void {
  if (e instanceof ClientAbortedError) {
    logger?.info({ path: req.path }, e.message);
    return;
  }
  if (res.headersSent) {
    logger?.error({ err: e, path: req.path }, "error in POST /uploads after the answer was sent");
    return;
  }
  // The body may be partly unread (refused early): close the connection rather than read the rest.
  if (!req.complete) res.setHeader("Connection", "close");
  if (isAppError(e)) {
    if (e.code === ErrorCode.UNAUTHENTICATED) res.setHeader("WWW-Authenticate", 'Bearer realm="costgate"');
    res.status(e.httpStatus).json({ error: { code: e.code, message: e.message } });
    return;
  }
  logger?.error({ err: e, path: req.path }, "unexpected error in POST /uploads");
  res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" } });
}
