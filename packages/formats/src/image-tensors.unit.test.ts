import { describe, expect, it } from "vitest";
import {
  decodeImageTensorsHeader,
  encodeImageTensorsHeader,
  imageTensorsBytes,
  labelsOffset,
} from "./image-tensors.ts";

describe("image tensors header", () => {
  const h = { rows: 3, height: 4, width: 5, channels: 3 as const, labelled: true };
  it("round-trips and places pixels then labels", () => {
    const bytes = encodeImageTensorsHeader(h);
    expect(bytes.length).toBe(32);
    expect(decodeImageTensorsHeader(bytes, imageTensorsBytes(h))).toEqual(h);
    expect(labelsOffset(h)).toBe(32 + 3 * 4 * 5 * 3);
    expect(imageTensorsBytes(h)).toBe(32 + 180 + 12);
    expect(imageTensorsBytes({ ...h, labelled: false })).toBe(32 + 180);
  });
  it("refuses another file, or one whose length is not what the header says", () => {
    expect(() => decodeImageTensorsHeader(Buffer.alloc(32), 32)).toThrow(/no image-tensors header/);
    expect(() => decodeImageTensorsHeader(encodeImageTensorsHeader(h), 100)).toThrow(
      "not a decoded image dataset: the header promises 224 bytes, the file has 100",
    );
    expect(() => decodeImageTensorsHeader(encodeImageTensorsHeader({ ...h, channels: 4 as 3 }), 0)).toThrow(
      /4 channels/,
    );
  });
});
