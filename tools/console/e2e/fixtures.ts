// What every browser test shares: the console's URL, signing in as a person
// would, a screenshot of each screen kept as test output, and no error in
// the browser's console on any page (a test that expects an error response,
// like a 404 for a case out of scope, lists it in `expectedErrors`).
import { test as base, expect, type Page } from "@playwright/test";
import type { Login } from "./server";

export const url = (path: string): string => `${process.env.DOCKET_CONSOLE_URL ?? ""}${path}`;

type Fixtures = { consoleErrors: string[]; expectedErrors: RegExp[] };

export const test = base.extend<Fixtures>({
  expectedErrors: [[], { option: true }],
  consoleErrors: [
    async ({ page, expectedErrors }, use) => {
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" && !expectedErrors.some((re) => re.test(m.text()))) errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
      await use(errors);
      expect(errors, "errors in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export async function signIn(page: Page, who: Login): Promise<void> {
  await page.goto(url("/signin"));
  await page.getByLabel("工号").fill(who.id);
  await page.getByLabel("密码").fill(who.password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/queue/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

/** A screenshot of the screen as it is now, kept in test-results/screens/. */
export async function shot(page: Page, name: string): Promise<void> {
  // Not "networkidle": the live event stream keeps a request open for good.
  await expect(page.locator(".el-loading-mask:visible")).toHaveCount(0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}
