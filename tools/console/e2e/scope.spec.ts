// A branch handler sees only their branch's cases, and a case of another
// branch cannot be opened by its URL either (the server answers 404).
import { expect, shot, signIn, test, url } from "./fixtures";
import { foreignCase, people } from "./server";

test.describe("a branch handler's scope", () => {
  test.use({ expectedErrors: [/status of 404/] });

  test("does not see another branch's cases and cannot open one by URL", async ({ page }) => {
    await signIn(page, people.handler);
    await page.getByRole("tab", { name: "全部" }).click();
    await expect(page.getByRole("table").first()).toBeVisible();
    await expect(page.getByRole("link", { name: foreignCase, exact: true })).toHaveCount(0);

    await page.goto(url(`/cases/${foreignCase}`));
    await expect(page.getByText("案件不存在或不在您的权限范围内")).toBeVisible();
    await shot(page, "case-out-of-scope");
  });
});

test("an expired or missing session goes back to sign-in", async ({ page }) => {
  await page.goto(url("/queue"));
  await expect(page).toHaveURL(/\/signin/);
  await shot(page, "signin");
});
