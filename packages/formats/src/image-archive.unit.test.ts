import { describe, expect, it } from "vitest";
import {
  ArchiveBudget,
  DEFAULT_ARCHIVE_LIMITS,
  checkArchiveEntry,
  checkImageDimensions,
  checkImageFile,
  classIndices,
  planImageArchive,
  readLabelsCsv,
} from "./image-archive.ts";

describe("checkArchiveEntry", () => {
  it("normalises files and folders and skips archiver litter", () => {
    expect(checkArchiveEntry("cats/1.png", "file")).toBe("cats/1.png");
    expect(checkArchiveEntry("./cats/", "directory")).toBe("cats");
    expect(checkArchiveEntry("__MACOSX/cats/._1.png", "file")).toBeNull();
    expect(checkArchiveEntry("cats/.DS_Store", "file")).toBeNull();
  });
  it.each([
    [
      "../evil.png",
      "file",
      /archive entry "\.\.\/evil\.png" is not allowed: it contains "\.\." \(no path may lead outside the archive\)/,
    ],
    ["/etc/passwd", "file", /is not allowed: it is an absolute path; paths must be relative to the archive/],
    ["cats/link.png", "symlink", "cats/link.png is a symbolic link; an image archive may hold only files and folders"],
    ["cats/hard.png", "hardlink", "cats/hard.png is a hard link; an image archive may hold only files and folders"],
    ["dev/null", "other", /is not a file or a folder/],
    [
      "more/inner.zip",
      "file",
      "more/inner.zip is an archive inside the archive; put the images themselves in one archive",
    ],
    ["more/inner.tar.gz", "file", /archive inside the archive/],
  ] as const)("refuses %j (%s)", (path, type, message) => {
    expect(() => checkArchiveEntry(path, type)).toThrow(message);
  });
});

describe("planImageArchive", () => {
  it("label folders, in archive order, with a wrapping folder stripped", () => {
    const plan = planImageArchive(
      ["data/cat/1.png", "data/dog/a/2.jpg", "data/cat/3.webp"],
      ["data", "data/cat", "data/dog"],
    );
    expect(plan).toEqual({
      layout: "label-folders",
      prefix: "data/",
      labelsCsv: null,
      images: [
        { path: "data/cat/1.png", label: "cat" },
        { path: "data/dog/a/2.jpg", label: "dog" },
        { path: "data/cat/3.webp", label: "cat" },
      ],
    });
  });
  it("one folder of images is one class, not a wrapper", () => {
    expect(planImageArchive(["cat/1.png", "cat/2.png"], [])).toMatchObject({ layout: "label-folders", prefix: "" });
  });
  it("flat with labels.csv, and flat without labels", () => {
    expect(planImageArchive(["1.png", "labels.csv", "2.png"], [])).toMatchObject({
      layout: "labels-csv",
      labelsCsv: "labels.csv",
      images: [{ path: "1.png" }, { path: "2.png" }],
    });
    expect(planImageArchive(["x/labels.csv", "x/1.png"], ["x"])).toMatchObject({ layout: "labels-csv", prefix: "x/" });
    expect(planImageArchive(["1.png", "2.png"], [])).toMatchObject({ layout: "unlabeled" });
  });
  it("refuses an empty class folder, naming it", () => {
    expect(() => planImageArchive(["cat/1.png"], ["cat", "dog"])).toThrow(
      "class folder dog/ is empty; every label folder needs at least one image",
    );
  });
  it("refuses mixed layouts", () => {
    expect(() => planImageArchive(["cat/1.png", "2.png"], [])).toThrow(
      /mixes two layouts: images at the top level \(2\.png\) and label folders \(cat\/\)/,
    );
    expect(() => planImageArchive(["labels.csv", "1.png", "cat/2.png"], [])).toThrow(
      /mixes two layouts: a labels\.csv and folders \(cat\/\)/,
    );
  });
  it("refuses duplicate names and an archive without files", () => {
    expect(() => planImageArchive(["cat/1.png", "cat/1.png"], [])).toThrow(
      "cat/1.png is in the archive twice; every name must be unique",
    );
    expect(() => planImageArchive([], ["cat"])).toThrow(/holds no files/);
    expect(() => planImageArchive(["labels.csv"], [])).toThrow(/labels\.csv but no images/);
  });
});

describe("readLabelsCsv", () => {
  const plan = planImageArchive(["d/a.png", "d/b.png", "d/labels.csv"], []);
  it("labels each image", () => {
    expect(readLabelsCsv("file,label\na.png,cat\n./b.png,dog\n", plan)).toEqual(
      new Map([
        ["d/a.png", "cat"],
        ["d/b.png", "dog"],
      ]),
    );
  });
  it.each([
    ["name,class\na.png,cat\n", /the header must be "file,label"/],
    [
      "file,label\na.png,cat\nc.png,dog\nb.png,dog\n",
      "d/labels.csv line 3 names c.png, which is not an image of the archive (images sit beside labels.csv)",
    ],
    ["file,label\na.png,cat\n", "b.png is in the archive but not in labels.csv: every image needs a row file,label"],
    ["file,label\na.png,cat\nb.png,dog\na.png,dog\n", "d/labels.csv line 4: a.png is listed twice (first on line 2)"],
    ["file,label\na.png,\nb.png,dog\n", "d/labels.csv line 2: a.png has an empty label"],
    ["file,label\na.png,cat,x\n", /line 2 has 3 cells/],
  ])("refuses %j", (text, message) => {
    expect(() => readLabelsCsv(text, plan)).toThrow(message);
  });
});

describe("limits", () => {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxFiles: 2, maxExpandedBytes: 3_000_000, maxFileBytes: 2_000_000 };
  it("counts files, declared and inflated bytes, and the compression ratio", () => {
    const b = new ArchiveBudget(limits);
    b.declareFile("a.png", 10);
    b.declareFile("b.png", 10);
    expect(() => b.declareFile("c.png", 10)).toThrow(
      "the archive holds more than 2 files, the most an image dataset may have",
    );
    expect(() => new ArchiveBudget(limits).declareFile("big.png", 2_000_001)).toThrow(
      /big\.png expands to more than 2000000 bytes/,
    );
    expect(() => new ArchiveBudget(limits).declareFile("bomb.png", 1_500_000, 1_000)).toThrow(
      /bomb\.png expands 1500 times .*looks like a zip bomb/,
    );
    const liar = new ArchiveBudget(limits);
    liar.declareFile("liar.png", 10);
    expect(() => liar.inflated("liar.png", 2_000_001, 2_000_001)).toThrow(/liar\.png expands to more than/);
    const many = new ArchiveBudget({ ...limits, maxFileBytes: 3_000_000 });
    many.inflated("a.png", 2_000_000, 2_000_000);
    expect(() => many.inflated("b.png", 1_000_001, 1_000_001)).toThrow(
      /the archive expands to more than 3000000 bytes/,
    );
  });
  it("refuses absurd dimensions before decoding", () => {
    expect(() => checkImageDimensions("huge.png", 100_000, 100_000, DEFAULT_ARCHIVE_LIMITS)).toThrow(
      /huge\.png is 100000x100000 pixels, over the limit of 40000000 pixels/,
    );
    expect(() => checkImageDimensions("ok.png", 224, 224, DEFAULT_ARCHIVE_LIMITS)).not.toThrow();
  });
});

describe("classIndices", () => {
  it("maps names through the model's class names, or takes whole numbers as indices", () => {
    expect(classIndices(["dog", "1", "cat"], ["cat", "dog"])).toEqual(
      new Map([
        ["dog", 1],
        ["1", 1],
        ["cat", 0],
      ]),
    );
    expect(classIndices(["0", "7"], [])).toEqual(
      new Map([
        ["0", 0],
        ["7", 7],
      ]),
    );
  });
  it("refuses a label the model does not have, listing the ones it has", () => {
    expect(() => classIndices(["zebra"], ["cat", "dog"])).toThrow(
      'label "zebra" is not a class of the model; its classes are "cat", "dog" (or their indices 0 to 1)',
    );
    expect(() => classIndices(["2"], ["cat", "dog"])).toThrow(/label "2" is not a class/);
    expect(() => classIndices(["cat"], [])).toThrow(/the model has no class names/);
  });
});

describe("checkImageFile", () => {
  it("names the image type, or says what the file is instead", () => {
    expect(checkImageFile("a.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("png");
    expect(() => checkImageFile("notes.txt", Buffer.from("hello"))).toThrow(
      "notes.txt is not an image (JPEG, PNG or WebP): it is text",
    );
    expect(() => checkImageFile("cat.png", Buffer.from("GIF89a"))).toThrow(
      "cat.png is not an image (JPEG, PNG or WebP): it is a GIF image",
    );
    expect(() => checkImageFile("inner.png", Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toThrow(
      /inner\.png is an archive inside the archive/,
    );
  });
});
