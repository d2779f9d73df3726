"use client";
// Uploads go from the browser to this app's /api/uploads by XMLHttpRequest, for real upload
// progress; that route streams them to the API with the session token and registers the artifact
// as a version or a dataset in the same request.
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { formatBytes } from "@/lib/format";

type Status =
  | { kind: "idle" }
  | { kind: "uploading"; loaded: number; total: number }
  | { kind: "registering" }
  | { kind: "done"; message: string; versionNumber?: number }
  | { kind: "error"; message: string };

function upload(
  files: File[],
  kind: "model" | "dataset",
  query: Record<string, string>,
  onProgress: (loaded: number, total: number) => void,
): Promise<{ message: string; versionNumber?: number }> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    body.append("kind", kind);
    for (const f of files) body.append("file", f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/uploads?${new URLSearchParams(query)}`);
    xhr.upload.onprogress = (e) =>
      onProgress(e.loaded, e.lengthComputable ? e.total : files.reduce((s, f) => s + f.size, 0));
    xhr.onerror = () => reject(new Error("The upload was interrupted (network error)."));
    xhr.onload = () => {
      let json: { artifactId?: string; message?: string; versionNumber?: number; error?: { message?: string } } = {};
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && json.artifactId)
        resolve({ message: json.message ?? "Uploaded.", versionNumber: json.versionNumber });
      else reject(new Error(json.error?.message ?? `The upload was refused (HTTP ${xhr.status}).`));
    };
    xhr.upload.onload = () => onProgress(-1, -1);
    xhr.send(body);
  });
}

function StatusLine({ status, label }: { status: Status; label: string }) {
  if (status.kind === "idle") return null;
  if (status.kind === "uploading") {
    const pct = status.total ? Math.round((status.loaded / status.total) * 100) : 0;
    return (
      <div aria-live="polite">
        <progress max={100} value={pct} aria-label={`${label} upload progress`} style={{ width: "100%" }} />
        <p className="small muted">
          Uploading {formatBytes(status.loaded)} of {formatBytes(status.total)} ({pct}%)
        </p>
      </div>
    );
  }
  if (status.kind === "registering")
    return (
      <p className="small muted" aria-live="polite">
        Uploaded; registering…
      </p>
    );
  if (status.kind === "done")
    return (
      <p className="alert success" role="status">
        {status.message}
      </p>
    );
  return (
    <p className="alert error" role="alert">
      {status.message}
    </p>
  );
}

const isArchive = (name: string) => /\.(zip|tar|tar\.gz|tgz)$/i.test(name);

/**
 * What the upload of a version says once registered: "being evaluated" only while that version is
 * still PENDING in the page's (auto-refreshed) list of versions.
 */
function versionDoneMessage(status: Status, versions: { number: number; status: string }[]): Status {
  if (status.kind !== "done" || status.versionNumber === undefined) return status;
  const n = status.versionNumber;
  const now = versions.find((v) => v.number === n)?.status;
  if (now === "READY") return { ...status, message: `Version ${n} is evaluated and measured: it is Ready.` };
  if (now === "FAILED")
    return { kind: "error", message: `Version ${n} was registered but failed: its reason is in the Versions table.` };
  return status;
}

export function UploadPanel({
  modelId,
  versions,
}: {
  modelId: string;
  versions: { number: number; status: string }[];
}) {
  const router = useRouter();
  const modelFiles = useRef<HTMLInputElement>(null);
  const datasetFile = useRef<HTMLInputElement>(null);
  const [versionStatus, setVersionStatus] = useState<Status>({ kind: "idle" });
  const [datasetStatus, setDatasetStatus] = useState<Status>({ kind: "idle" });
  const [versionError, setVersionError] = useState<string | null>(null);
  const [datasetError, setDatasetError] = useState<string | null>(null);

  async function onVersion(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const files = Array.from(modelFiles.current?.files ?? []);
    if (!files.some((f) => f.name.endsWith(".json"))) {
      setVersionError("Choose model.json and the weight files (.bin) it names.");
      return;
    }
    setVersionError(null);
    try {
      setVersionStatus({ kind: "uploading", loaded: 0, total: 1 });
      const notes = String(new FormData(form).get("notes") ?? "");
      const r = await upload(files, "model", { register: "version", modelId, notes }, (loaded, total) =>
        setVersionStatus(loaded < 0 ? { kind: "registering" } : { kind: "uploading", loaded, total }),
      );
      setVersionStatus({ kind: "done", message: r.message, versionNumber: r.versionNumber });
      form.reset();
      router.refresh();
    } catch (error) {
      setVersionStatus({ kind: "error", message: (error as Error).message });
    }
  }

  async function onDataset(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const file = datasetFile.current?.files?.[0];
    const role = String(data.get("role") ?? "");
    if (!file) {
      setDatasetError("Choose a CSV file or an archive of images (.zip, .tar, .tar.gz).");
      return;
    }
    setDatasetError(null);
    try {
      setDatasetStatus({ kind: "uploading", loaded: 0, total: file.size });
      const name = String(data.get("name") ?? "").trim() || file.name.replace(/\.(csv|zip|tar|tar\.gz|tgz)$/i, "");
      const query: Record<string, string> = { register: "dataset", modelId, role, name };
      if (isArchive(file.name)) {
        query.scale = String(data.get("scale") ?? "ZERO_ONE");
        for (const key of ["mean", "std"] as const) {
          const value = String(data.get(key) ?? "").trim();
          if (value) query[key] = value;
        }
      }
      const r = await upload([file], "dataset", query, (loaded, total) =>
        setDatasetStatus(loaded < 0 ? { kind: "registering" } : { kind: "uploading", loaded, total }),
      );
      setDatasetStatus({ kind: "done", message: r.message });
      form.reset();
      router.refresh();
    } catch (error) {
      setDatasetStatus({ kind: "error", message: (error as Error).message });
    }
  }

  const busy = (s: Status) => s.kind === "uploading" || s.kind === "registering";

  return (
    <div className="grid">
      <form onSubmit={onDataset} className="form" noValidate aria-labelledby="dataset-upload-title">
        <h3 id="dataset-upload-title">Dataset</h3>
        <p className="small muted" style={{ margin: 0 }}>
          A CSV with a header row: feature columns, then the label (no label column for Unlabeled inputs, e.g. a sample
          of recent traffic). Or a .zip, .tar or .tar.gz of JPEG, PNG or WebP images: in one folder per label (folders
          named by the class names or indices), or at the top level with a labels.csv (file,label), or without labels
          for Unlabeled inputs; they are decoded once at the model&apos;s input size, so register a version first.
          Evaluation needs an Evaluation dataset; fine-tuning uses the Train dataset; distillation uses Train or
          Unlabeled inputs.
        </p>
        <div className="field">
          <label htmlFor="dataset-file">Dataset file</label>
          <input
            id="dataset-file"
            ref={datasetFile}
            type="file"
            accept=".csv,text/csv,.zip,application/zip,.tar,.tar.gz,.tgz,application/gzip,application/x-tar"
            aria-invalid={datasetError ? true : undefined}
            aria-describedby={datasetError ? "dataset-file-error" : undefined}
          />
          {datasetError ? (
            <p className="error" id="dataset-file-error">
              {datasetError}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="dataset-role">Dataset role</label>
          <select id="dataset-role" name="role" defaultValue="EVALUATION">
            <option value="TRAIN">Train</option>
            <option value="EVALUATION">Evaluation</option>
            <option value="UNLABELED">Unlabeled (inputs only)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="dataset-name">Dataset name (optional)</label>
          <input id="dataset-name" name="name" type="text" aria-describedby="dataset-name-hint" />
          <p className="hint" id="dataset-name-hint">
            Defaults to the file name.
          </p>
        </div>
        <fieldset className="field">
          <legend>Image preprocessing (archives only)</legend>
          <div className="field">
            <label htmlFor="dataset-scale">Pixel scale</label>
            <select id="dataset-scale" name="scale" defaultValue="ZERO_ONE">
              <option value="ZERO_ONE">0 to 1 (x / 255)</option>
              <option value="MINUS_ONE_ONE">−1 to 1 (x / 127.5 − 1)</option>
              <option value="RAW">0 to 255 (as it is)</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="dataset-mean">Mean per channel (optional)</label>
            <input id="dataset-mean" name="mean" type="text" inputMode="decimal" aria-describedby="dataset-mean-hint" />
          </div>
          <div className="field">
            <label htmlFor="dataset-std">Std per channel (optional)</label>
            <input id="dataset-std" name="std" type="text" inputMode="decimal" aria-describedby="dataset-mean-hint" />
            <p className="hint" id="dataset-mean-hint">
              After scaling, (x − mean) / std per channel: one number per channel, comma-separated (e.g. 0.485, 0.456,
              0.406).
            </p>
          </div>
        </fieldset>
        <StatusLine status={datasetStatus} label="Dataset" />
        <div>
          <button type="submit" className="button primary" disabled={busy(datasetStatus)}>
            {busy(datasetStatus) ? "Uploading…" : "Upload dataset"}
          </button>
        </div>
      </form>

      <form onSubmit={onVersion} className="form" noValidate aria-labelledby="version-upload-title">
        <h3 id="version-upload-title">New version</h3>
        <p className="small muted" style={{ margin: 0 }}>
          A TensorFlow.js LayersModel: model.json and every weight file it names (e.g. group1-shard1of1.bin). It is
          evaluated and its cost measured right after.
        </p>
        <div className="field">
          <label htmlFor="model-files">Model files</label>
          <input
            id="model-files"
            ref={modelFiles}
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            aria-invalid={versionError ? true : undefined}
            aria-describedby={versionError ? "model-files-error" : undefined}
          />
          {versionError ? (
            <p className="error" id="model-files-error">
              {versionError}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="version-notes">Notes (optional)</label>
          <input id="version-notes" name="notes" type="text" />
        </div>
        <StatusLine status={versionDoneMessage(versionStatus, versions)} label="Model" />
        <div>
          <button type="submit" className="button primary" disabled={busy(versionStatus)}>
            {busy(versionStatus) ? "Uploading…" : "Upload version"}
          </button>
        </div>
      </form>
    </div>
  );
}
