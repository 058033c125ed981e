// A handler takes the damaged-signs case (the seeds' C-2026-0001, opened
// afresh by the fixture as e2eCase) from its intake to the archive: refused
// a resolution before the photo, with the rule shown; waits for the
// customer (the queue says the clock stands still); uploads the photo;
// sees 48.20 previewed; and, with the branch supervisor reporting upward and
// the claims clerk paying (separation of duties), archives it.
import type { Page } from "@playwright/test";
import { expect, shot, signIn, signOut, test, url } from "./fixtures";
import { e2eCase, people, photo } from "./server";

async function action(page: Page, name: string, fill?: (dialog: ReturnType<Page["getByRole"]>) => Promise<void>) {
  await page.getByRole("button", { name, exact: true }).click();
  const dialog = page.getByRole("dialog", { name });
  await expect(dialog).toBeVisible();
  if (fill) await fill(dialog);
  await dialog.getByRole("button", { name: "提交" }).click();
  await expect(dialog).toBeHidden();
}

// An Element Plus select: its labelled input sits under the shown value, so
// click the select box that holds it, as a person would.
async function choose(page: Page, dialog: ReturnType<Page["getByRole"]>, label: string, option: string) {
  await dialog.locator(".el-select").filter({ has: page.getByLabel(label, { exact: true }) }).click();
  await page.getByRole("option", { name: option }).click();
}

// A field that suggests the directory's names: typed into, a suggestion picked.
async function suggested(page: Page, dialog: ReturnType<Page["getByRole"]>, label: string, typed: string, option: string) {
  await dialog.getByLabel(label, { exact: true }).fill(typed);
  await page.locator(".el-autocomplete-suggestion li").filter({ hasText: option }).click();
}

// The form sent against an older revision is answered 409, which the
// browser logs as a failed resource; nothing else may be.
test.use({ expectedErrors: [/status of 409 \(Conflict\)/] });

test("a handler takes the damaged-signs case from the photo to the archive", async ({ page }) => {
  await signIn(page, people.handler);
  await shot(page, "queue");

  await page.getByRole("tab", { name: "全部" }).click();
  await page.getByPlaceholder("搜索案件号、运单号或客户").fill(e2eCase.waybill);
  await page.getByPlaceholder("搜索案件号、运单号或客户").press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=${e2eCase.waybill}`));
  const open = page.getByRole("row").filter({ hasText: e2eCase.waybill });
  await expect(open).toHaveCount(1);
  await open.getByRole("link", { name: e2eCase.id }).click();
  await expect(page).toHaveURL(url(`/cases/${e2eCase.id}`));
  const caseUrl = page.url();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("案件");

  // Someone moves the case while the form is open (the same handler, by
  // phone, through the API): sending the form is refused (409: sent
  // against an older revision, or, once the live stream has brought the
  // new one, a step already taken), the form says why and stays open, and
  // the case holds the other step only.
  await page.getByRole("button", { name: "倾听与致歉", exact: true }).click();
  const ack = page.getByRole("dialog", { name: "倾听与致歉" });
  await expect(ack).toBeVisible();
  const session = await page.request.post(url("/v1/sessions"), {
    data: { principalId: people.handler.id, password: people.handler.password },
  });
  const { token } = (await session.json()) as { token: string };
  const meanwhile = await page.request.post(url("/v1/commands"), {
    headers: { Authorization: `Bearer ${token}` },
    data: { commandId: "e2e-ack-by-phone", caseId: e2eCase.id, acknowledge: { note: "by phone" } },
  });
  expect(meanwhile.status()).toBe(200);
  await ack.getByRole("button", { name: "提交" }).click();
  await expect(ack.getByRole("alert")).toContainText(/案件已被他人更新（版本不一致）|六个步骤须按顺序进行/);
  // The engine's reason, said in Chinese.
  await expect(ack.getByRole("alert")).toContainText(new RegExp(`案件 ${e2eCase.id} (已是第 2 版|处于「待受理」阶段)`));
  await expect(ack).toBeVisible();
  await shot(page, "case-raced");
  await ack.getByRole("button", { name: "取消" }).click();
  await expect(ack).toBeHidden();
  await page.reload();
  await expect(page.getByText("版本 2")).toBeVisible();
  await expect(page.getByRole("button", { name: "倾听与致歉", exact: true })).toHaveCount(0);

  await action(page, "受理");

  // Before the photo: the proposal is refused, and the rule says why.
  await expect(page.getByText("破损案件须先上传现场照片，才能提出处理方案")).toBeVisible();
  await expect(page.getByText(`案件 ${e2eCase.id}：破损案件须先附加至少一张现场照片，才能提出处理方案`)).toBeVisible();
  await shot(page, "case-refused");

  // The customer is asked for a photo: the case waits for them, and the
  // queue says that its clock stands still, and since when, without a hover.
  await action(page, "等待客户", (d) => d.getByLabel("原因").fill("请客户补拍破损广告牌的照片"));
  await page.goto(url(`/queue?tab=all&q=${e2eCase.waybill}`));
  const waiting = page.getByRole("row").filter({ hasText: e2eCase.waybill });
  await expect(waiting.locator(".due").getByText("已暂停")).toBeVisible();
  await expect(waiting.locator(".due").getByText("等待客户", { exact: true })).toBeVisible();
  await expect(waiting.locator(".due").getByText(/^自 .+ 起$/)).toBeVisible();
  await shot(page, "queue-paused");
  await page.goto(caseUrl);
  await action(page, "记录客户回复", (d) => d.getByLabel("备注").fill("客户已发来照片"));

  await page.locator("input[type=file]").setInputFiles(photo);
  await page.getByLabel("说明").fill("破损的亚克力广告牌");
  await page.getByRole("button", { name: "上传并附加到案件" }).click();
  await expect(page.getByText("✓ 哈希一致")).toBeVisible();

  // The investigator and the branch at fault are picked from the directory.
  await action(page, "开始事故调查", (d) => suggested(page, d, "调查人", "王芳", `王芳（${people.handler.id}）`));
  await action(page, "完成事故调查", async (d) => {
    await choose(page, d, "责任方", "公司内部原因");
    await suggested(page, d, "责任网点", "广州", "广州分公司（GZ）");
    await d.getByLabel("调查摘要").fill("crushed at the Guangzhou sorting centre");
  });

  await page.getByRole("button", { name: "提出处理方案", exact: true }).click();
  const proposal = page.getByRole("dialog", { name: "提出处理方案" });
  await expect(proposal.getByTestId("proposal-preview")).toContainText("48.20");
  await expect(proposal.getByTestId("proposal-preview")).toContainText("合同单价 × 重量");
  await shot(page, "case-preview");
  await proposal.getByRole("button", { name: "提交" }).click();
  await expect(proposal).toBeHidden();

  await action(page, "记录客户答复", async (d) => {
    // The customer answers the proposal the form shows.
    await expect(d.getByTestId("standing-proposal")).toContainText("48.20");
    await choose(page, d, "客户决定", "客户接受");
  });

  // Payment is recorded by claims, not by the handler who proposed it.
  await signOut(page);
  await signIn(page, people.claims);
  await page.goto(caseUrl);
  await action(page, "支付赔偿", async (d) => {
    // What claims pays is in front of them: the proposal, the customer's
    // answer, what is still to pay.
    await expect(d.getByTestId("standing-proposal")).toContainText("客户接受");
    await expect(d.getByTestId("standing-outstanding")).toContainText("48.20");
    await d.getByRole("button", { name: "按待支付金额填写" }).click();
    await expect(d.getByLabel("金额", { exact: true })).toHaveValue("48.20");
    await d.getByLabel("支付单号").fill("PAY-E2E-1");
    await shot(page, "case-pay");
  });
  await signOut(page);

  // The branch's daily report upward (a supervisor's step) meets its deadline.
  await signIn(page, people.branchSupervisor);
  await page.goto(caseUrl);
  await action(page, "上报", async (d) => {
    await d.getByLabel("上报内容").fill("daily report");
    await choose(page, d, "目标层级", "分公司");
  });
  await signOut(page);

  await signIn(page, people.handler);
  await page.goto(caseUrl);
  await action(page, "记录回访", async (d) => {
    // The method is marked required, as the engine requires it.
    await expect(d.locator(".el-form-item.is-required").filter({ hasText: "回访方式" })).toHaveCount(1);
    await choose(page, d, "回访方式", "电话回访");
    await shot(page, "case-follow-up-form");
    const rate = d.getByRole("slider");
    await rate.focus();
    for (let i = 0; i < 4; i++) await rate.press("ArrowRight");
  });
  await action(page, "存档");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("已存档");
  await shot(page, "case-archived");
});

test("the case page says where you are", async ({ page }) => {
  await signIn(page, people.handler);
  await page.goto(url("/queue?tab=all&q=345667"));
  await page.getByRole("link", { name: "C-2026-0001", exact: true }).click();
  await expect(page).toHaveTitle("案件 C-2026-0001 · docket 投诉工单");
  await expect(page.getByRole("list", { name: /案件|处理进度/ }).or(page.locator(".el-steps"))).toBeVisible();
  await shot(page, "case");
});
