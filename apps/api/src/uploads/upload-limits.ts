import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "@costgate/formats";

/** How much one POST /uploads may carry. Enforced while the body streams in. */
export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** model.json is parsed in memory, so it has its own, smaller limit. */
  maxModelJsonBytes?: number;
  /** A CSV line is held in memory while it is checked. */
  maxCsvLineBytes?: number;
  /** Uploads one caller (user or API key) may have in flight in this process; more get RATE_LIMITED. */
  maxConcurrentUploadsPerActor?: number;
  /** Bytes of artifacts one team may hold; an upload of new content beyond it gets PAYLOAD_TOO_LARGE. */
  teamQuotaBytes?: number;
  /** Image archives (ArchiveLimits of @costgate/formats): files, expanded bytes, bytes a file, ratio, pixels an image. */
  maxArchiveFiles?: number;
  maxExpandedBytes?: number;
  maxArchiveFileBytes?: number;
  maxCompressionRatio?: number;
  maxImagePixels?: number;
}

export type ResolvedUploadLimits = Required<UploadLimits>;

const MiB = 1024 * 1024;

const DEFAULT_UPLOAD_LIMITS: ResolvedUploadLimits = {
  maxFiles: 64,
  maxFileBytes: 512 * MiB,
  maxTotalBytes: 1024 * MiB,
  maxModelJsonBytes: 64 * MiB,
  maxCsvLineBytes: 1 * MiB,
  maxConcurrentUploadsPerActor: 4,
  teamQuotaBytes: 20 * 1024 * MiB,
  maxArchiveFiles: DEFAULT_ARCHIVE_LIMITS.maxFiles,
  maxExpandedBytes: DEFAULT_ARCHIVE_LIMITS.maxExpandedBytes,
  maxArchiveFileBytes: DEFAULT_ARCHIVE_LIMITS.maxFileBytes,
  maxCompressionRatio: DEFAULT_ARCHIVE_LIMITS.maxCompressionRatio,
  maxImagePixels: DEFAULT_ARCHIVE_LIMITS.maxImagePixels,
};

/** The limits an image archive is read with. */
export const archiveLimits = (l: ResolvedUploadLimits): ArchiveLimits => ({
  maxFiles: l.maxArchiveFiles,
  maxExpandedBytes: l.maxExpandedBytes,
  maxFileBytes: l.maxArchiveFileBytes,
  maxCompressionRatio: l.maxCompressionRatio,
  maxImagePixels: l.maxImagePixels,
});

/** Artifact.sizeBytes is a 32-bit Int column. */
const MAX_ARTIFACT_BYTES = 2_147_483_647;

/** Fills in defaults and refuses settings the database or the code cannot honour (at boot, not per request). */
export function resolveUploadLimits(limits: UploadLimits): ResolvedUploadLimits {
  const resolved: ResolvedUploadLimits = { ...DEFAULT_UPLOAD_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof UploadLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`upload limit ${key} must be a positive integer (got ${value})`);
    resolved[key] = value;
  }
  if (resolved.maxTotalBytes > MAX_ARTIFACT_BYTES) {
    throw new Error(
      `upload limit maxTotalBytes ${resolved.maxTotalBytes} is over ${MAX_ARTIFACT_BYTES}, the largest size the artifacts table records`,
    );
  }
  return resolved;
}

/** "512 MiB", "1 GiB", "300 bytes": limits as people read them. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, "GiB"],
    [1024 ** 2, "MiB"],
    [1024, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}
