// A phone (390 px): the header leaves the screen to the content, its menu opens and closes from the
// keyboard, the tables whose key columns do not fit become labelled cards, and text wraps between words.
import type { Page } from "@playwright/test";
import { asAdmin, expect, login, stackInfo, test } from "./fixtures.ts";

test.use({ viewport: { width: 390, height: 844 } });

/** Words of the element's text that the browser split across two lines. */
async function wordsBrokenAcrossLines(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) => {
    const broken: string[] = [];
    for (const element of elements) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const lines = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(match[0]);
        }
      }
    }
    return broken;
  });
}

test("the header is short and its menu works from the keyboard", async ({ page }) => {
  await login(page, "ADMIN");
  const header = await page.locator("header").boundingBox();
  expect(header!.height, "header height at 390 px").toBeLessThanOrEqual(72);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();

  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Models" })).toBeVisible();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();
  await expect(nav).toBeHidden();

  // Following a link closes it.
  await menu.click();
  await nav.getByRole("link", { name: "Models" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Models" })).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});

test("the models list, a model's versions and the jobs are labelled cards with $/1M, Actions and Verdict on screen", async ({
  page,
}) => {
  const { demo } = stackInfo().models;
  await expect
    .poll(
      async () =>
        (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id: stackInfo().demoJobId }))
          .optimizationJob.status,
      { timeout: 180_000, intervals: [1_000] },
    )
    .toBe("SUCCEEDED");
  await login(page, "ADMIN");
  /** A cell with that text lies within the 390 px of the screen. */
  const onScreen = async (text: string | RegExp) => {
    const cell = page.getByRole("cell").filter({ hasText: text }).first();
    await expect(cell).toBeVisible();
    const box = await cell.boundingBox();
    expect(box!.x, `${text} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${text} ends on screen`).toBeLessThanOrEqual(390);
  };

  await page.goto("/models");
  const costCell = page.locator("td:nth-child(7)").first();
  expect(await costCell.evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"$/1M inferences"');
  await onScreen(/^Fraud Detection$/);

  await page.goto(`/models/${demo.id}`);
  const v1 = page.locator("#version-1");
  const promote = v1.getByRole("button", { name: "Promote" });
  await expect(promote).toBeVisible();
  expect((await promote.boundingBox())!.x + (await promote.boundingBox())!.width).toBeLessThanOrEqual(390);
  const cost = v1.locator("td").nth(8);
  expect(await cost.evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"$/1M"');
  expect((await cost.boundingBox())!.x + (await cost.boundingBox())!.width).toBeLessThanOrEqual(390);

  await page.goto(`/jobs/${stackInfo().demoJobId}`);
  const verdict = page.getByRole("region", { name: "Candidates" }).locator("td").nth(9);
  expect(await verdict.evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"Verdict"');
  const box = (await verdict.boundingBox())!;
  expect(box.x + box.width, "the verdict ends on screen").toBeLessThanOrEqual(390);
  expect(await wordsBrokenAcrossLines(page, ".recipe")).toEqual([]);
});
