// An auditor sees verify pass, inspects a case's chain link by link, exports
// the case file and opens its printable page.
import { readFileSync } from "node:fs";
import { expect, shot, signIn, test, url } from "./fixtures";
import { people } from "./server";

test("an auditor exports a case file and sees verify pass", async ({ page }) => {
  await signIn(page, people.auditor);
  await page.getByRole("menuitem", { name: "审计" }).click();
  await expect(page.getByText("校验通过")).toBeVisible();

  await page.getByLabel("案件号").fill("C-2026-0001");
  await page.getByRole("button", { name: "查看" }).click();
  await expect(page).toHaveURL(/case=C-2026-0001/);
  await expect(page.getByText("✓ 整条链在浏览器中复核通过")).toBeVisible();
  await shot(page, "audit");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "导出案件档案（JSON）" }).click();
  const file = JSON.parse(readFileSync((await (await download).path())!, "utf8"));
  expect(file.caseId).toBe("C-2026-0001");
  expect(file.chainVerifiedInBrowser).toBe(true);
  expect(file.history.entries.length).toBeGreaterThan(3);

  await page.getByLabel("截至版本").fill("3");
  await page.getByRole("button", { name: "查看" }).click();
  await expect(page.getByText("案件状态（版本 3）")).toBeVisible();

  await page.goto(url("/cases/C-2026-0001/file"));
  await expect(page.getByRole("heading", { name: "案件档案 C-2026-0001" })).toBeVisible();
  await shot(page, "case-file");
});

// Times are typed as China Standard Time whatever the computer's zone: an
// auditor in London asks for C-2026-0001 as of 09:30 in China, between its
// acknowledgement (09:20) and its acceptance (09:40), and gets revision 2
// (failed before: read as 09:30 in London, 17:30 in China, the later case).
test.describe("in another time zone", () => {
  test.use({ timezoneId: "Europe/London" });
  test("a case as of a time typed in China Standard Time", async ({ page }) => {
    await signIn(page, people.auditor);
    await page.goto(url("/audit"));
    await page.getByLabel("案件号").fill("C-2026-0001");
    await page.getByLabel("截至时间").fill("2026-11-02 09:30:00");
    await page.getByLabel("截至时间").press("Enter");
    await page.getByRole("button", { name: "查看" }).click();
    await expect(page).toHaveURL(/as_of=2026-11-02T01:30:00/);
    await expect(page.getByText("案件状态（2026-11-02 09:30）")).toBeVisible();
    await expect(page.getByText("版本 2", { exact: false }).first()).toBeVisible();
  });
});
