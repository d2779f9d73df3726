import { describe, expect, it } from "vitest";
import { datasetFileKind, sniffFileType } from "./file-type.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const WEBP = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0]);
const GZIP = Buffer.from([0x1f, 0x8b, 8, 0]);
const TAR = (() => {
  const b = Buffer.alloc(512);
  b.write("a.png", 0);
  b.write("ustar", 257);
  return b;
})();

describe("sniffFileType", () => {
  it.each([
    [PNG, "png", "a PNG image"],
    [JPEG, "jpeg", "a JPEG image"],
    [WEBP, "webp", "a WebP image"],
    [ZIP, "zip", "a zip archive"],
    [GZIP, "gzip", "a gzip-compressed file"],
    [TAR, "tar", "a tar archive"],
    [Buffer.from("GIF89a...."), "gif", "a GIF image"],
    [Buffer.from("%PDF-1.7\n"), "pdf", "a PDF document"],
    [Buffer.from("x0,x1,label\n1,2,0\n"), "text", "text"],
    [Buffer.from([1, 0, 2, 0, 3]), "binary", "binary data"],
    [Buffer.alloc(0), "empty", "empty"],
  ])("tells what the bytes are (%#)", (head, kind, description) => {
    expect(sniffFileType(head)).toMatchObject({ kind, description });
  });
  it("says which are supported images and which are archives", () => {
    expect(sniffFileType(PNG)).toMatchObject({ supportedImage: true, archive: false });
    expect(sniffFileType(Buffer.from("GIF89a"))).toMatchObject({ supportedImage: false, archive: false });
    expect(sniffFileType(TAR)).toMatchObject({ supportedImage: false, archive: true });
  });
});

describe("datasetFileKind", () => {
  it("a CSV, a zip, a tar and a tar.gz by their bytes", () => {
    expect(datasetFileKind("train.csv", Buffer.from("a,label\n1,0\n"))).toBe("csv");
    expect(datasetFileKind("images.zip", ZIP)).toBe("zip");
    expect(datasetFileKind("images.tar", TAR)).toBe("tar");
    expect(datasetFileKind("images.tar.gz", GZIP)).toBe("tar.gz");
    expect(datasetFileKind("images.tgz", GZIP)).toBe("tar.gz");
    expect(datasetFileKind("upload", ZIP)).toBe("zip");
  });
  it("a PNG, a JPEG or a zip named .csv says what it is, not a CSV header error", () => {
    expect(() => datasetFileKind("train.csv", PNG)).toThrow(/^train\.csv is a PNG image, not a CSV: /);
    expect(() => datasetFileKind("train.csv", JPEG)).toThrow(/^train\.csv is a JPEG image, not a CSV: /);
    expect(() => datasetFileKind("train.csv", ZIP)).toThrow(/^train\.csv is a zip archive, not a CSV: /);
    expect(() => datasetFileKind("train.csv", PNG)).toThrow(expect.objectContaining({ code: "BAD_FILE_TYPE" }));
  });
  it("JSON and a web page are text but not a CSV", () => {
    expect(datasetFileKind("a.csv", Buffer.from("x,label\n[1],0\n"))).toBe("csv");
    expect(() => datasetFileKind("rows.csv", Buffer.from('\n  {"x": 1}'))).toThrow(/^rows\.csv is JSON, not a CSV: /);
    expect(() => datasetFileKind("rows.csv", Buffer.from("<!DOCTYPE HTML><p>"))).toThrow(
      /^rows\.csv is an HTML page, not a CSV: /,
    );
  });
  it("a lone image says to put images in an archive; text named .zip is not a zip", () => {
    expect(() => datasetFileKind("cat.png", PNG)).toThrow(
      /^cat\.png is a PNG image, not a CSV or an image archive: .*\(put the images in an archive\)$/,
    );
    expect(() => datasetFileKind("images.zip", Buffer.from("hello"))).toThrow(
      /^images\.zip is text, not a zip archive/,
    );
    expect(() => datasetFileKind("data.csv", Buffer.alloc(0))).toThrow(/^data\.csv is empty, not a CSV/);
  });
});
