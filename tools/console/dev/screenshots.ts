// DEV ONLY: screenshots of every screen against a running console: a real
// docketd with scripts/load_examples.sh's data (BASE_URL, DEMO_PASSWORD
// default docket-demo), or the dev fixture (DEMO_PASSWORD=demo).
//   BASE_URL=http://127.0.0.1:8080 OUT=docs-new npx vite-node dev/screenshots.ts
import { chromium, type Page } from "@playwright/test";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:5180";
const OUT = process.env.OUT ?? "screenshots";
const PW = process.env.DEMO_PASSWORD ?? "docket-demo";
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function signIn(page: Page, id: string) {
  await page.goto(`${BASE}/signin`);
  await page.getByLabel(/工号|Staff ID/).fill(id);
  await page.getByLabel(/密码|Password/).fill(PW);
  await page.getByRole("button", { name: /登录|Sign in/ }).click();
  await page.waitForURL(/\/queue/);
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args });
const errors: string[] = [];
for (const [w, h, tag] of [[1280, 800, "desktop"], [390, 844, "phone"]] as const) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && errors.push(`${tag} ${page.url()}: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`${tag} ${page.url()}: ${e.message}`));
  await page.goto(`${BASE}/signin`);
  await page.screenshot({ path: `${OUT}/${tag}-signin.png` });
  await signIn(page, "E-101");
  await page.waitForTimeout(800);
  await page.screenshot({ path: `${OUT}/${tag}-queue.png`, fullPage: tag === "desktop" });
  await page.goto(`${BASE}/cases/C-2026-0104`);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `${OUT}/${tag}-case.png`, fullPage: true });
  if (tag === "desktop") {
    await page.goto(`${BASE}/cases/C-2026-0004`);
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${OUT}/${tag}-case-notfound.png` });
    await page.goto(`${BASE}/cases/S-2026-0001`);
    await page.waitForTimeout(1200);
    await page.screenshot({ path: `${OUT}/${tag}-case-suggestion.png`, fullPage: true });
    await page.goto(`${BASE}/cases/C-2026-0003`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${OUT}/${tag}-case-archived.png`, fullPage: true });
  }
  await page.getByRole("button", { name: /退出登录|Sign out/ }).click();
  await signIn(page, "E-300");
  await page.goto(`${BASE}/dashboard`);
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `${OUT}/${tag}-dashboard.png`, fullPage: true });
  await page.getByRole("button", { name: /退出登录|Sign out/ }).click();
  await signIn(page, "A-100");
  await page.goto(`${BASE}/audit?case=C-2026-0004`);
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `${OUT}/${tag}-audit.png`, fullPage: true });
  if (tag === "desktop") {
    await page.goto(`${BASE}/cases/C-2026-0004/file`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${OUT}/${tag}-casefile.png`, fullPage: true });
  }
  await ctx.close();
}
await browser.close();
console.log(errors.length ? `console errors:\n${errors.join("\n")}` : "no console errors");
