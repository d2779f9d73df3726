/**
 * Image datasets as workers read them: the image-tensors file registerDataset decoded once
 * (@costgate/formats: header, uint8 pixels at the model's input size, int32 class indices), read
 * batch by batch from disk and preprocessed per batch (scale, mean, std), so memory holds a batch
 * of float32 inputs, not every image (2000 images of 224x224x3 are 1.2 GB as float32).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  IMAGE_TENSORS_HEADER_BYTES,
  applyPixelTable,
  checkImagePreprocessing,
  decodeImageTensorsHeader,
  imageRowBytes,
  labelsOffset,
  pixelTable,
  type ImagePreprocessing,
  type ImageTensorsHeader,
} from "@costgate/formats";
import { initBackend } from "./backend.ts";
import type { Dataset, InputSet, RowSource } from "./dataset-types.ts";
import { describeError, formatChecked, MlError } from "./errors.ts";
import { tf } from "./tf.ts";

export interface LoadImagesOptions {
  /** The model's input shape [height, width, channels]: the file must have been decoded at it. */
  inputShape: readonly number[];
  /** As registered (ZERO_ONE, no mean or std when omitted). */
  preprocessing?: Partial<ImagePreprocessing> | null;
}

/** Reads rows of an image-tensors file on demand, preprocessed into float32 tensors. */
class ImageRows implements RowSource {
  readonly shape: readonly number[];
  private fd: number | null;
  private readonly rowBytes: number;
  private readonly table: Float32Array;

  constructor(
    private readonly path: string,
    fd: number,
    private readonly header: ImageTensorsHeader,
    preprocessing: ImagePreprocessing,
  ) {
    this.fd = fd;
    this.shape = [header.rows, header.height, header.width, header.channels];
    this.rowBytes = imageRowBytes(header);
    this.table = pixelTable(preprocessing, header.channels);
  }

  get isDisposed(): boolean {
    return this.fd === null;
  }

  take(indices: readonly number[]): tf.Tensor {
    if (this.fd === null) throw new MlError("BAD_DATASET", `${this.path} has been closed`);
    const bytes = Buffer.alloc(this.rowBytes);
    const out = new Float32Array(indices.length * this.rowBytes);
    indices.forEach((row, i) => {
      if (!Number.isInteger(row) || row < 0 || row >= this.header.rows) {
        throw new MlError("BAD_PARAM", `row ${row} is outside the dataset's ${this.header.rows} rows`);
      }
      const read = readSync(this.fd!, bytes, 0, this.rowBytes, IMAGE_TENSORS_HEADER_BYTES + row * this.rowBytes);
      if (read !== this.rowBytes) throw new MlError("BAD_DATASET", `${this.path}: image ${row} is cut short`);
      applyPixelTable(bytes, this.table, this.header.channels, out, i * this.rowBytes);
    });
    return tf.tensor(out, [indices.length, ...this.shape.slice(1)], "float32");
  }

  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function openImages(
  path: string,
  opts: LoadImagesOptions,
): { rows: ImageRows; header: ImageTensorsHeader; fd: number } {
  const preprocessing = formatChecked(
    () => checkImagePreprocessing(opts.preprocessing, opts.inputShape.at(-1) ?? 0),
    `${path}: `,
  );
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new MlError("BAD_DATASET", `cannot read ${path}: ${describeError(e)}`);
  }
  try {
    const head = Buffer.alloc(IMAGE_TENSORS_HEADER_BYTES);
    readSync(fd, head, 0, head.length, 0);
    const header = formatChecked(() => decodeImageTensorsHeader(head, fstatSync(fd).size), `${path}: `);
    const got = [header.height, header.width, header.channels];
    if (got.length !== opts.inputShape.length || got.some((d, i) => d !== opts.inputShape[i])) {
      throw new MlError(
        "BAD_DATASET",
        `the image dataset was decoded at [${got.join(", ")}] but the model takes [${opts.inputShape.join(", ")}]: register the dataset again for this model`,
      );
    }
    return { rows: new ImageRows(path, fd, header, preprocessing), header, fd };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** A labelled image dataset (class indices; image datasets are for classification). */
export async function loadImageDataset(path: string, opts: LoadImagesOptions): Promise<Dataset<RowSource>> {
  await initBackend();
  const { rows, header, fd } = openImages(path, opts);
  try {
    if (!header.labelled) {
      throw new MlError(
        "BAD_DATASET",
        `${path} holds images without labels (an UNLABELED dataset); a labelled one is needed here`,
      );
    }
    const labels = new Int32Array(header.rows);
    readSync(fd, new Uint8Array(labels.buffer), 0, header.rows * 4, labelsOffset(header));
    let max = -1;
    for (const v of labels) {
      if (v < 0) throw new MlError("BAD_DATASET", `${path}: a class index is negative (${v})`);
      max = Math.max(max, v);
    }
    return {
      xs: rows,
      ys: tf.tensor1d(labels, "int32"),
      rows: header.rows,
      featureCount: imageRowBytes(header),
      task: "classification",
      numClasses: max + 1,
    };
  } catch (e) {
    rows.dispose();
    throw e;
  }
}

/** The inputs of an image dataset (its labels, if any, are not read). */
export async function loadImageInputs(path: string, opts: LoadImagesOptions): Promise<InputSet<RowSource>> {
  await initBackend();
  const { rows, header } = openImages(path, opts);
  return { xs: rows, rows: header.rows, featureCount: imageRowBytes(header) };
}
