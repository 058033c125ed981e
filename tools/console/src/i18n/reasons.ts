// The engine's refusals and calculations in Chinese. The server words a
// refusal in English (the same sentence for docketctl, the API and the
// audit); the sentences a handler meets every day (a step not allowed at
// this stage, a closed case, a role's permissions, what archiving still
// needs) are matched whole here and said in Chinese, with the case, the
// people and the amounts taken from the engine's words. Any other sentence
// keeps the engine's words, with the code names in it and its amounts and
// times said in Chinese.
import zh from "./zh-CN";
import { formatTime } from "@/format";

type Table = Record<string, string>;
/** A match's groups by number; "" for one that did not take part. */
type Groups = (i: number) => string;
type Sentence = [RegExp, (m: Groups) => string];
function match(pattern: RegExp, text: string): Groups | null {
  const found = pattern.exec(text);
  return found ? (i) => found[i] ?? "" : null;
}
/** What the first sentence of `table` that matches `text` says; null when none does. */
function sayFirst(table: Sentence[], text: string): string | null {
  for (const [pattern, say] of table) {
    const m = match(pattern, text);
    if (m) return say(m);
  }
  return null;
}
const enums = zh.enum as unknown as Record<string, Table>;
const commands = zh.commandKind as unknown as Table;
const fields = zh.field as unknown as Table;

/** A code name's label among `labels` (a locale's enums); the name if none. */
export function codeLabel(name: string, labels: Record<string, Table>): string {
  for (const [schema, values] of Object.entries(labels)) {
    // A rule's labels are sentences; a reason names its rule apart.
    if (schema !== "Rule" && typeof values[name] === "string") return values[name];
  }
  return name;
}

/** `text` with each code name in it ("DEADLINE_KIND_REPORT_UPWARD") labelled as `labels` say. */
export function codesLabelled(text: string, labels: Record<string, Table>): string {
  return text.replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, (name) => codeLabel(name, labels));
}

/** `text` with the engine's UTC instants ("2026-11-03T10:00:00Z") in China Standard Time, as the console shows every time. */
export const timesInCst = (text: string): string =>
  text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g, (at) => formatTime(new Date(at)));

/** The engine's words with Chinese names for its codes, 元 for CNY and its instants in CST. */
const words = (text: string): string =>
  timesInCst(codesLabelled(text, enums).replace(/(\d[\d,]*\.\d{2}) CNY\b/g, "$1 元"));

const code = (name: string): string => codeLabel(name, enums);

/** A command's label, by its kind ("record_follow_up") or message name ("RecordFollowUp"). */
function command(name: string): string {
  const kind = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  return commands[kind] ?? name;
}

/** "STAGE_A or STAGE_B" → "「A」或「B」". */
const either = (names: string): string => names.split(" or ").map((n) => `「${code(n)}」`).join("或");

/** When a step may be taken, as the engine says it in brackets. */
const WHEN: Table = {
  "while a proposal stands": "提出方案之后",
  "before the case's outcome": "结案之前",
  "before a proposal": "提出方案之前",
  "while the complaint is worked": "投诉处理期间",
  "after acceptance, before the resolution": "受理之后、提出方案之前",
  "the customer still dissatisfied": "客户仍不满意时",
  "after the demand": "发出追偿要求之后",
  "after the customer accepts": "客户接受方案之后",
  "the inquiry open": "咨询未答复时",
};
function when(text: string): string {
  if (!text) return "";
  const step = match(/^(within )?step (\d+)( onwards)?$/, text);
  if (step) return `（第 ${step(2)} 步${step(1) ? "内" : step(3) ? "起" : ""}）`;
  return WHEN[text] ? `（${WHEN[text]}）` : "";
}

/** One thing archiving still waits for. */
function missing(item: string): string {
  let m: Groups | null;
  if ((m = match(/^the follow-up \(step (\d+)\)$/, item))) return `回访（第 ${m(1)} 步）`;
  if ((m = match(/^payment of ([\d,]+\.\d{2}) CNY \(or the customer declining it\)$/, item))) {
    return `支付 ${m(1)} 元（或客户放弃赔偿）`;
  }
  if ((m = match(/^the (CASE_KIND_[A-Z_]+)'s outcome$/, item))) return `${code(m(1))}的办理结果`;
  if ((m = match(/^execution of penalty (\S+)$/, item))) return `处罚 ${m(1)} 的执行`;
  if ((m = match(/^the open (DEADLINE_KIND_[A-Z_]+) deadline$/, item))) {
    const label = code(m(1));
    return `未完成的「${label}」${label.includes("时限") ? "" : "时限"}`;
  }
  if (item === "the customer's response") return "客户的回复";
  return words(item);
}

/** What needs a level's authority, as RequireLevel names it. */
function needing(what: string): string {
  let m: Groups | null;
  const amount = "([\\d,]+\\.\\d{2}) CNY";
  if ((m = match(new RegExp(`^approving ${amount} of compensation$`), what))) return `审批 ${m(1)} 元的赔偿`;
  if ((m = match(new RegExp(`^a proposal of ${amount} at (SEVERITY_[A-Z_]+)( with goodwill)?$`), what))) {
    return `${code(m(2))}投诉 ${m(1)} 元的处理方案${m(3) ? "（含通融赔偿）" : ""}`;
  }
  if ((m = match(new RegExp(`^a penalty of ${amount}$`), what))) return `${m(1)} 元的处罚`;
  if ((m = match(new RegExp(`^a payment of ${amount} \\(${amount} paid on the case in all\\)$`), what))) {
    return `支付 ${m(1)} 元（本案累计支付 ${m(2)} 元）`;
  }
  if ((m = match(/^closing by referral to (REFERRAL_[A-Z_]+)$/, what))) return `以「${code(m(1))}」结案`;
  return words(what);
}


const SENTENCES: Sentence[] = [
  [/^case (\S+) was merged into (\S+): its handling continues there$/,
    (m) => `案件 ${m(1)} 已合并到案件 ${m(2)}：请在案件 ${m(2)} 上继续处理`],
  [/^case (\S+) is (STAGE_[A-Z_]+): nothing follows; a new complaint opens a new case linked to it$/,
    (m) => `案件 ${m(1)}「${code(m(2))}」，之后不再有步骤；客户再次投诉请新开案件并关联本案`],
  [/^case (\S+) is at (STAGE_[A-Z_]+): ([A-Za-z]+)(?: \((.+)\))? is allowed only at (.+)$/,
    (m) => `案件 ${m(1)} 处于「${code(m(2))}」阶段：「${command(m(3))}」${when(m(4))}只能在${either(m(5))}阶段进行`],
  [/^(ROLE_[A-Z_]+) (\S+) may not send ([a-z_]+) \(the policy's permissions\)$/,
    (m) => `${code(m(1))} ${m(2)} 无权进行「${command(m(3))}」（政策规定的权限）`],
  [/^(ROLE_[A-Z_]+) (\S+) may not open a recovery case$/, (m) => `${code(m(1))} ${m(2)} 不能登记追偿案件`],
  [/^(ROLE_[A-Z_]+) (\S+) opens recovery cases only$/, (m) => `${code(m(1))} ${m(2)} 只登记追偿案件`],
  [/^case (\S+) is handled at branch (\S+), outside the scope of (\S+) \((branch|region) (\S+)\)$/,
    (m) => `案件 ${m(1)} 由 ${m(2)} 处理，不在 ${m(3)}（${m(4) === "branch" ? "分公司" : "区域"} ${m(5)}）的管辖范围内`],
  [/^case (\S+) is a (CASE_KIND_[A-Z_]+): ([a-z_]+) is a step of a (.+)$/,
    (m) => `案件 ${m(1)} 是${code(m(2))}案件：「${command(m(3))}」只用于${m(4).split(" or ").map(code).join("或")}案件`],
  [/^case (\S+) is handled at (LEVEL_[A-Z_]+): there is no higher level to escalate to$/,
    (m) => `案件 ${m(1)} 已由${code(m(2))}处理，没有更高的层级可以升级`],
  [/^case (\S+): (.+) needs (LEVEL_[A-Z_]+) authority; actor (\S+) is (LEVEL_[A-Z_]+)$/,
    (m) => `案件 ${m(1)}：${needing(m(2))}需要${code(m(3))}的权限，${m(4)} 为${code(m(5))}级`],
  [/^case (\S+): no level may approve (.+)$/, (m) => `案件 ${m(1)}：没有哪一级可以批准${needing(m(2))}`],
  [/^case (\S+) is (SEVERITY_[A-Z_]+|a complaint involving (\d+) departments): it is handled by a task group \(专项投诉处理小组\), formed before the resolution$/,
    (m) => `案件 ${m(1)} ${m(3) ? `涉及 ${m(3)} 个部门` : `为${code(m(2))}投诉`}：须由专项投诉处理小组处理，小组在提出处理方案前成立`],
  [/^case (\S+): a DAMAGE case needs at least one photo before a resolution$/,
    (m) => `案件 ${m(1)}：${code("CATEGORY_DAMAGE")}案件须先附加至少一张现场照片，才能提出处理方案`],
  [/^case (\S+): a (CATEGORY_[A-Z_]+) case needs a concluded investigation before a resolution$/,
    (m) => `案件 ${m(1)}：${code(m(2))}案件须先完成事故调查，才能提出处理方案`],
  [/^case (\S+): conclude the open investigation first$/, (m) => `案件 ${m(1)}：请先完成进行中的事故调查`],
  [/^case (\S+): an investigation is already open$/, (m) => `案件 ${m(1)} 已有一项进行中的调查`],
  [/^case (\S+) is handled at (LEVEL_[A-Z_]+): escalation must go higher(?:, not to (LEVEL_[A-Z_]+))?$/,
    (m) => `案件 ${m(1)} 已由${code(m(2))}处理：只能升级到更高的层级${m(3) ? `，不能升级到${code(m(3))}` : ""}`],
  [/^case (\S+): classify changes nothing$/, (m) => `案件 ${m(1)}：调整定级没有改变任何内容`],
  [/^case (\S+) already waits for the customer$/, (m) => `案件 ${m(1)} 已在等待客户`],
  [/^case (\S+) is at STAGE_OPENED: the customer is answered first \(step 1, listen and apologise\), then the case may wait for them$/,
    (m) => `案件 ${m(1)} 尚待倾听致歉：先回应客户（第 1 步，倾听与致歉），之后才能等待客户`],
  [/^case (\S+): (DEADLINE_KIND_[A-Z_]+) stands still while the case waits for the customer$/,
    (m) => `案件 ${m(1)}：等待客户期间，「${code(m(2))}」暂停计时`],
  [/^case (\S+): nothing is owed$/, (m) => `案件 ${m(1)} 没有待支付的赔偿`],
  [/^case (\S+): there is no compensation to approve$/, (m) => `案件 ${m(1)} 没有需要审批的赔偿`],
  [/^case (\S+): the compensation is paid in full; there is nothing left to approve$/,
    (m) => `案件 ${m(1)} 的赔偿已全额支付，没有需要审批的了`],
  [/^case (\S+): the proposal already has the (co-approval of claims|approval of a supervisor)$/,
    (m) => `案件 ${m(1)} 的方案已有${m(2).startsWith("co-") ? "理赔处的会签" : "主管的审批"}`],
  [/^case (\S+): (\S+) proposed the goodwill and may not approve it$/,
    (m) => `案件 ${m(1)}：通融赔偿由 ${m(2)} 提出，提出人不能自己审批`],
  [/^case (\S+): (\S+) proposed this compensation; claims records its payment$/,
    (m) => `案件 ${m(1)}：赔偿由 ${m(2)} 提出，支付由理赔处记录`],
  [/^case (\S+): no investigation is open$/, (m) => `案件 ${m(1)} 没有进行中的调查`],
  [/^case (\S+) is not waiting for the customer$/, (m) => `案件 ${m(1)} 没有在等待客户`],
  [/^case (\S+): no penalty was decided and awaits execution$/, (m) => `案件 ${m(1)} 没有已决定、待执行的处罚`],
  [/^case (\S+): a penalty needs a concluded investigation that finds internal responsibility$/,
    (m) => `案件 ${m(1)}：处罚需要一项已完成、认定内部责任的调查`],
  [/^case (\S+) cannot be archived yet; missing: (.+)$/,
    (m) => `案件 ${m(1)} 还不能存档，尚缺：${m(2).split("; ").map(missing).join("；")}`],
  [/^case (\S+) does not exist$/, (m) => `案件 ${m(1)} 不存在`],
  [/^case (\S+) already exists$/, (m) => `案件 ${m(1)} 已存在`],
  [/^case (\S+) revision (\d+): expected (\d+)$/,
    (m) => `案件 ${m(1)} 已是第 ${m(2)} 版，而不是所期望的第 ${m(3)} 版：有人先改动了案件，请刷新后再试`],
  [/^(?:case (\S+): )?([a-z_]+)(?:\.[a-z_.]+)?\.([a-z_]+) is required$/,
    (m) => `${m(1) ? `案件 ${m(1)}：` : ""}${commands[m(2)] ? `「${command(m(2))}」` : ""}必须填写「${fields[m(3)] ?? m(3)}」`],
  [/^case (\S+) is outside the scope of (\S+)$/, (m) => `案件 ${m(1)} 不在 ${m(2)} 的管辖范围内`],
  [/^case (\S+): the investigation assessed the loss at ([\d,]+\.\d{2}) CNY; a classification takes its figure \(another needs a new investigation\)$/,
    (m) => `案件 ${m(1)}：事故调查核定的损失为 ${m(2)} 元，调整定级须采用这一金额（另定金额须重新调查）`],
  [/^case (\S+): an appeal to the postal authority \(12305\) is opened by docket when the regulatory window of (\S+) passes without a handling result$/,
    (m) => `案件 ${m(1)}：向邮政管理部门（12305）的申诉由系统登记，在案件 ${m(2)} 的监管时限届满仍无处理结果时自动开立`],
  [/^case (\S+)(?: is (SEVERITY_[A-Z_]+)|'s compensation of ([\d,]+\.\d{2}) CNY is the size of a (SEVERITY_[A-Z_]+) loss): its compensation is paid only with (.+)$/,
    (m) => `案件 ${m(1)} ${m(2) ? `为${code(m(2))}投诉` : `的赔偿 ${m(3)} 元相当于${code(m(4))}损失`}：赔偿须经${m(5).split(" and ").map(approval).join("和")}后才能支付`],
  [/^case (\S+)'s proposal holds ([\d,]+\.\d{2}) CNY of goodwill \(通融赔偿\): it is paid only with (.+) other than its proposer (\S+)$/,
    (m) => `案件 ${m(1)} 的方案含通融赔偿 ${m(2)} 元：须经提出人 ${m(4)} 以外的${approval(m(3))}后才能支付`],
  [/^case (\S+): the penalty must fall on the party the findings name \(branch (\S+), (?:no employee|employee (\S+))\)$/,
    (m) => `案件 ${m(1)}：处罚只能针对调查认定的责任方（${m(2)}${m(3) ? `，员工 ${m(3)}` : "，未认定责任员工"}）`],
  [/^(?:case (\S+): )?(?:evidence )?(.+) is no photo of (\S+): a photo is a JPEG, PNG, GIF, WebP, HEIC, BMP or TIFF image, its bytes as its type says$/,
    (m) => `${m(1) ? `案件 ${m(1)}：` : ""}${m(2) === "the upload" ? "上传的文件" : m(2).startsWith("cas://") ? "所附文件" : m(2)}` +
      `不是 ${m(3).split("/").pop()!.toUpperCase()} 格式的照片：照片须为 JPEG、PNG、GIF、WEBP、HEIC、BMP 或 TIFF 图像，内容与其格式一致`],
  [/^case (\S+): findings (must name the responsible party|of internal fault must name the branch|of third-party fault must name the third party|of force majeure must apply EXEMPTION_FORCE_MAJEURE|of the customer's fault must apply the clause that exempts the carrier: .+|cannot exempt the carrier when the fault is its own or its subcontractor's)$/,
    (m) => `案件 ${m(1)}：${FINDINGS[m(2).split(":")[0]!] ?? words(m(2))}`],
  [/^case (\S+): a task group has a lead, at least (\d+) other member\(s\) and its departments$/,
    (m) => `案件 ${m(1)}：专项投诉处理小组须有组长、至少 ${m(2)} 名其他组员，并写明涉及的部门`],
  [/^case (\S+): the task group must bring together the departments the complaint involves; missing: (.+)$/,
    (m) => `案件 ${m(1)}：专项投诉处理小组须包括本案涉及的全部部门，尚缺：${m(2).split(", ").join("、")}`],
  [/^occurred_at (\S+) is (\d+) minutes before docket decides it; the policy allows (\d+) for (a step|an adapter's intake)$/,
    (m) => `发生时间 ${timesInCst(m(1))} 比系统受理时间早 ${m(2)} 分钟；政策规定${m(4) === "a step" ? "操作" : "渠道登记"}最多补录 ${m(3)} 分钟前发生的事`],
  [/^(DEADLINE_KIND_[A-Z_]+) breached$/, (m) => `「${code(m(1))}」超时`],
  [/^command (\S+) was refused over a case it named outside the scope of (\S+)$/,
    (m) => `命令 ${m(1)} 因涉及 ${m(2)} 管辖范围以外的案件而被拒绝`],
];

/** What findings lack, as CheckFindings says it (its first clause). */
const FINDINGS: Table = {
  "must name the responsible party": "调查结论须认定责任方",
  "of internal fault must name the branch": "认定内部责任的调查结论须写明责任网点",
  "of third-party fault must name the third party": "认定第三方责任的调查结论须写明第三方",
  "of force majeure must apply EXEMPTION_FORCE_MAJEURE": `认定不可抗力的调查结论须适用「${code("EXEMPTION_FORCE_MAJEURE")}」免责条款`,
  "of the customer's fault must apply the clause that exempts the carrier":
    `认定客户责任的调查结论须适用相应免责条款：「${code("EXEMPTION_SHIPPER_FAULT")}」、「${code("EXEMPTION_INHERENT_DEFECT")}」或「${code("EXEMPTION_CONTRABAND")}」`,
  "cannot exempt the carrier when the fault is its own or its subcontractor's": "责任在本公司或其分包方时，不能适用免责条款",
};

/** An approval a payment waits for, as the engine names it. */
function approval(what: string): string {
  const supervisor = match(/^the approval of a (LEVEL_[A-Z_]+) supervisor$/, what);
  if (supervisor) return `${code(supervisor(1))}主管的审批`;
  if (what === "the co-approval of claims (理赔处)") return "理赔处的会签";
  return words(what);
}

const A = "(\\d[\\d,]*\\.\\d{2})"; // An amount in yuan, as the engine writes it.
const KG = "(\\d+\\.\\d{3}) kg";
const SOURCE = "(policy|contract \\S+)";
const source = (s: string): string => (s === "policy" ? "政策" : `合同 ${s.slice("contract ".length)} `);
const re = (pattern: string): RegExp => new RegExp(`^${pattern}$`);

/** The clauses of a compensation's calculation (engine/compensation.cc), joined by "; ". */
const CLAUSES: Sentence[] = [
  [/^exempt under (EXEMPTION_[A-Z_]+): 0\.00$/, (m) => `免责（${code(m(1))}）：0.00 元`],
  [re(`insured (?:total loss: value ${A} less residual ${A} = ${A}|partial damage: the loss ${A} is more than the value ${A}, so the value ${A}|partial damage: loss ${A}) × declared ${A} ÷ value ${A}( \\(the declared value, the goods' own not given\\))? = ${A}`),
    (m) => `${m(1) ? `保价全损：价值 ${m(1)} 元 − 残值 ${m(2)} 元 = ${m(3)} 元` : m(4) ? `保价部分损坏：损失 ${m(4)} 元超过价值 ${m(5)} 元，按价值 ${m(6)} 元计` : `保价部分损坏：损失 ${m(7)} 元`}` +
      ` × 保价金额 ${m(8)} 元 ÷ 价值 ${m(9)} 元${m(10) ? "（未给出货物价值，按保价金额计）" : ""} = ${m(11)} 元`],
  [re(`uninsured, ${SOURCE} rate ${A}/kg × ${KG} = ${A}`),
    (m) => `未保价，按${source(m(1))}单价 ${m(2)} 元/千克 × ${m(3)} 千克 = ${m(4)} 元`],
  [re(`uninsured, ${SOURCE} (\\d+) × freight ${A} = ${A}`),
    (m) => `未保价，按${source(m(1))}运费的 ${m(2)} 倍：${m(2)} × 运费 ${m(3)} 元 = ${m(4)} 元`],
  [re(`uninsured, ${SOURCE} pays the direct loss ${A}`), (m) => `未保价，按${source(m(1))}赔偿直接损失 ${m(2)} 元`],
  [re(`capped by the assessed loss ${A}: ${A}`), (m) => `以核定损失 ${m(1)} 元为限：${m(2)} 元`],
  [re(`the lesser of that and the assessed loss ${A}: ${A}`), (m) => `与核定损失 ${m(1)} 元取较小者：${m(2)} 元`],
  [re(`capped by the claim ${A}: ${A}`), (m) => `以索赔金额 ${m(1)} 元为限：${m(2)} 元`],
  [re(`the lesser of that and the claim ${A}: ${A}`), (m) => `与索赔金额 ${m(1)} 元取较小者：${m(2)} 元`],
  [/^delay: delivered (\S+), by the promised (\S+): nothing waived$/,
    (m) => `延误：${timesInCst(m(1))} 送达，未晚于承诺的 ${timesInCst(m(2))}：不免运费`],
  [re(`delay: freight ${A} waived(?: \\(insurance fee ${A} is not\\))?`),
    (m) => `延误：免收运费 ${m(1)} 元${m(2) ? `（保价费 ${m(2)} 元不免）` : ""}`],
  [re(`billing: billed ${KG}, no more than the ${KG} shipped: nothing overcharged`),
    (m) => `计费：计费重量 ${m(1)} 千克，未超过实际重量 ${m(2)} 千克：没有多收`],
  [re(`billing: billed ${KG} − shipped ${KG} = ${KG} × ${A}/kg = ${A}`),
    (m) => `计费：计费重量 ${m(1)} 千克 − 实际重量 ${m(2)} 千克 = ${m(3)} 千克 × ${m(4)} 元/千克 = ${m(5)} 元`],
  [/^(CATEGORY_[A-Z_]+): no monetary basis: 0\.00$/, (m) => `${code(m(1))}：没有金钱赔偿的依据：0.00 元`],
];

/** A calculation in Chinese when every clause of it is one the engine writes; null otherwise. */
function calculationInChinese(text: string): string | null {
  const said: string[] = [];
  for (const clause of text.split("; ")) {
    const found = sayFirst(CLAUSES, clause);
    if (found === null) return null;
    said.push(found);
  }
  return said.join("；");
}

/**
 * The engine's sentence in Chinese: whole when it is one of those above
 * (with the prefix it may carry: the command's id, or the step it answers
 * for); otherwise its own words with its codes and amounts in Chinese.
 */
export function reasonInChinese(text: string): string {
  let prefix = "";
  let body = text;
  const lead = match(/^(command (\S+)|([a-z_]+)): /, text);
  if (lead) {
    prefix = lead(2) ? `命令 ${lead(2)}：` : `「${command(lead(3))}」：`;
    body = text.slice(lead(0).length);
  }
  const said = sayFirst(SENTENCES, body);
  if (said !== null) {
    // "「上报」：… 无权进行「上报」" says the step twice.
    if (lead && lead(3) && said.includes(`「${command(lead(3))}」`)) return said;
    return prefix + said;
  }
  return calculationInChinese(text) ?? words(text);
}
