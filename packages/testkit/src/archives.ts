import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import sharp from "sharp";
import tar from "tar-stream";
import yazl from "yazl";

/** An entry of a test archive: a file's bytes, a folder, or a link (refused by the API, to test that). */
type TestEntry = Buffer | { directory: true } | { symlink: string } | { hardlink: string };

/**
 * A zip of these entries (in this order; as pairs, a name may come twice); `store` keeps files
 * uncompressed.
 */
export async function zipOf(
  entries: Record<string, TestEntry> | [string, TestEntry][],
  opts: { store?: boolean } = {},
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, e] of Array.isArray(entries) ? entries : Object.entries(entries)) {
    if (Buffer.isBuffer(e)) zip.addBuffer(e, name, { compress: !opts.store });
    else if ("directory" in e) zip.addEmptyDirectory(name);
    else if ("symlink" in e) zip.addBuffer(Buffer.from(e.symlink), name, { mode: 0o120777 });
    else throw new Error("a zip has no hard links");
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A tar (or, with gzip, a .tar.gz) of these entries. */
export async function tarOf(entries: Record<string, TestEntry>, opts: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const [name, e] of Object.entries(entries)) {
    if (Buffer.isBuffer(e)) pack.entry({ name, size: e.length }, e);
    else if ("directory" in e) pack.entry({ name, type: "directory" });
    else if ("symlink" in e) pack.entry({ name, type: "symlink", linkname: e.symlink });
    else pack.entry({ name, type: "link", linkname: e.hardlink });
  }
  pack.finalize();
  await done;
  const bytes = Buffer.concat(chunks);
  return opts.gzip ? gzipSync(bytes) : bytes;
}

/** A solid-colour image (RGB 0..255) of this size and type. */
export function solidImage(
  rgb: [number, number, number],
  size: { width: number; height: number },
  type: "png" | "jpeg" | "webp" = "png",
): Promise<Buffer> {
  const image = sharp({
    create: { width: size.width, height: size.height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  });
  return (
    type === "png" ? image.png() : type === "jpeg" ? image.jpeg({ quality: 95 }) : image.webp({ lossless: true })
  ).toBuffer();
}

/**
 * Writes a TensorFlow.js model taking h x w x c images into `dir` (Flatten, then Dense(3, softmax)
 * with zero weights): a model an image dataset can be decoded for. Returns model.json's and the
 * weight file's paths.
 */
export async function writeImageModel(dir: string, [h, w, c]: [number, number, number]): Promise<string[]> {
  const features = h * w * c;
  const json = {
    modelTopology: {
      class_name: "Sequential",
      config: {
        name: "tiny_image",
        layers: [
          { class_name: "Flatten", config: { name: "flatten", batch_input_shape: [null, h, w, c], dtype: "float32" } },
          { class_name: "Dense", config: { units: 3, activation: "softmax", use_bias: true, name: "output" } },
        ],
      },
    },
    format: "layers-model",
    weightsManifest: [
      {
        paths: ["group1-shard1of1.bin"],
        weights: [
          { name: "output/kernel", shape: [features, 3], dtype: "float32" },
          { name: "output/bias", shape: [3], dtype: "float32" },
        ],
      },
    ],
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "model.json"), JSON.stringify(json));
  await writeFile(join(dir, "group1-shard1of1.bin"), Buffer.alloc((features * 3 + 3) * 4));
  return [join(dir, "model.json"), join(dir, "group1-shard1of1.bin")];
}
