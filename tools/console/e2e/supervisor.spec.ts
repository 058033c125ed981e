// A supervisor's dashboard renders its charts from the seed data.
import { expect, shot, signIn, test, url } from "./fixtures";
import { people } from "./server";

test("a supervisor's dashboard renders its charts from the seed data", async ({ page }) => {
  await signIn(page, people.supervisor);
  await page.getByRole("menuitem", { name: "主管看板" }).click();
  await expect(page).toHaveURL(url("/dashboard"));
  await expect(page).toHaveTitle(/主管看板/);
  for (const title of ["每日投诉量", "时限达成率", "在办积压（按时长与阶段）", "各网点超时与升级", "赔偿支付", "满意度", "处理人考核"]) {
    await expect(page.getByRole("heading", { name: title })).toBeVisible();
  }
  // Six ECharts canvases drawn, none of them empty.
  await expect(page.locator(".chart canvas")).toHaveCount(6);
  await expect(page.getByText("暂无数据")).toHaveCount(0);
  await expect(page.locator(".handlers .el-table__row").first()).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("heading", { name: "处理人考核" }).locator("xpath=../..").getByRole("button", { name: "导出 CSV" }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  await shot(page, "dashboard");

  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "dashboard-phone");
});

test("a branch supervisor's dashboard counts only the branch's cases", async ({ page }) => {
  await signIn(page, people.branchSupervisor);  // S-ZH, ZHUHAI.
  await page.getByRole("menuitem", { name: "主管看板" }).click();
  await expect(page).toHaveURL(url("/dashboard"));
  const handlers = page.locator(".handlers .el-table__row");
  await expect(handlers.first()).toBeVisible();
  // ZHUHAI's handler is there; GZ's is not.
  await expect(page.locator(".handlers")).toContainText("E-100");
  await expect(page.locator(".handlers")).not.toContainText("E-101");
  await shot(page, "dashboard-branch");
});

test("a supervisor's report covers the days picked, both included", async ({ page }) => {
  await signIn(page, people.supervisor);
  await page.getByRole("menuitem", { name: "主管看板" }).click();
  await expect(page.locator(".handlers .el-table__row").first()).toBeVisible();
  // Pick 5 to 12 November (China Standard Time): every report asked again
  // for that window, and the daily rows the server answers lie within it.
  const daily = page.waitForResponse((r) => r.url().includes("/v1/report") && /by=day&/.test(r.url()));
  await page.getByPlaceholder("开始日期").fill("2026-11-05");
  await page.getByPlaceholder("结束日期").fill("2026-11-12");
  await page.getByPlaceholder("结束日期").press("Enter");
  const answer = await daily;
  expect(answer.url()).toContain("from=2026-11-05");
  expect(answer.url()).toContain("to=2026-11-12");
  const body = (await answer.json()) as { rows?: { cells: string[] }[] };
  const days = (body.rows ?? []).map((r) => r.cells[0] ?? "");
  expect(days.length).toBeGreaterThan(0);
  for (const day of days) {
    expect(day >= "2026-11-05" && day <= "2026-11-12", day).toBe(true);
  }
  await expect(page.getByText("暂无数据")).toHaveCount(0);
  await shot(page, "dashboard-window");
});
