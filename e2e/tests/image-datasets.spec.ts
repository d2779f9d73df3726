// An ML engineer adds an image dataset: a zip of PNGs in label folders uploaded from the model
// page with its preprocessing, then sees its format, labels, preprocessing and the first decoded
// images (served by the API to the team, through the dashboard's own route).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { solidImage, writeImageModel, zipOf } from "@costgate/testkit";
import { choose, expect, login, screenshot, test } from "./fixtures.ts";

test("an ML_ENGINEER uploads an image archive with its preprocessing and sees its labels and decoded images", async ({
  page,
  consoleErrors,
}) => {
  const dir = await mkdtemp(join(tmpdir(), "costgate-e2e-images-"));
  const colours: Record<string, [number, number, number]> = {
    red: [220, 40, 30],
    green: [40, 170, 60],
    blue: [30, 80, 220],
  };
  const entries: Record<string, Buffer> = {};
  for (const [label, rgb] of Object.entries(colours)) {
    for (let i = 0; i < 3; i++)
      entries[`${label}/${i}.png`] = await solidImage(rgb, { width: 40 + i * 10, height: 30 });
  }
  await writeFile(join(dir, "colours.zip"), await zipOf(entries));

  await login(page, "ML_ENGINEER");
  await page.goto("/models");
  const name = `colours-${Date.now()}`;
  await page.getByLabel("Model name").fill(name);
  await choose(page.getByLabel("Task"), "Classification (accuracy)");
  await page.getByLabel("Class names (classifiers, optional)").fill("red\ngreen\nblue");
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible({ timeout: 30_000 });

  // Images are decoded at the model's input size: the version first.
  await page.getByLabel("Model files").setInputFiles(await writeImageModel(join(dir, "model"), [32, 32, 3]));
  await page.getByRole("button", { name: "Upload version" }).click();
  await expect(page.getByText(/Version 1 registered/)).toBeVisible({ timeout: 30_000 });

  await page.getByLabel("Dataset file").setInputFiles(join(dir, "colours.zip"));
  await choose(page.getByLabel("Dataset role"), "Train");
  await choose(page.getByLabel("Pixel scale"), /−1 to 1/);
  await page.getByLabel("Mean per channel (optional)").fill("0.1, 0.2, 0.3");
  await page.getByRole("button", { name: "Upload dataset" }).click();
  await expect(
    page.getByText(/Dataset “colours” registered \(9 images, decoded at the model's input size\)/),
  ).toBeVisible({
    timeout: 60_000,
  });

  const row = page.getByRole("row", { name: /colours/ });
  await expect(row.getByRole("cell", { name: "Images", exact: true })).toBeVisible();
  await expect(row.getByRole("cell", { name: "blue, green, red" })).toBeVisible();
  await expect(row.getByRole("cell", { name: "x / 127.5 − 1, mean 0.1/0.2/0.3" })).toBeVisible();
  const thumbnails = page.getByRole("img", { name: /^colours, image \d$/ });
  await expect(thumbnails).toHaveCount(8);
  // Every thumbnail loaded (a decoded 32x32 image), not a broken image.
  await expect
    .poll(() => thumbnails.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)))
    .toEqual(Array(8).fill(32));
  await page.getByRole("heading", { name: "Datasets" }).scrollIntoViewIfNeeded();
  await screenshot(page, "model-image-dataset");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("heading", { name: "Datasets" }).scrollIntoViewIfNeeded();
  await screenshot(page, "model-image-dataset");
  expect(consoleErrors).toEqual([]);
});
