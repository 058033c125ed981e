// Every enum value of docket.v1, every command and event kind, and every
// field a form or a timeline shows, has a label in both languages.
import { describe, expect, test } from "vitest";
import type { DescEnum, DescMessage } from "@bufbuild/protobuf";
import * as api from "@/gen/docket/v1/api_pb";
import * as commands from "@/gen/docket/v1/commands_pb";
import * as common from "@/gen/docket/v1/common_pb";
import * as directory from "@/gen/docket/v1/directory_pb";
import * as events from "@/gen/docket/v1/events_pb";
import * as facts from "@/gen/docket/v1/facts_pb";
import * as outcome from "@/gen/docket/v1/outcome_pb";
import * as policy from "@/gen/docket/v1/policy_pb";
import * as rejection from "@/gen/docket/v1/rejection_pb";
import * as state from "@/gen/docket/v1/state_pb";
import * as storage from "@/gen/docket/v1/storage_pb";
import * as stored from "@/gen/docket/v1/stored_event_pb";
import { commandKinds, eventKinds, formSpec, NOT_FROM_CONSOLE, type FieldSpec } from "@/commands";
import { i18n, localizeReason, messages, LOCALES } from "@/i18n";
import sample from "./reasons-sample.json";
import calculations from "./calculations-sample.json";

const modules = [api, commands, common, directory, events, facts, outcome, policy, rejection, state, storage, stored];
const isEnum = (x: unknown): x is DescEnum => typeof x === "object" && x !== null && (x as { kind?: string }).kind === "enum";
const enums = modules.flatMap((m) => Object.values(m).filter(isEnum));

type Dict = Record<string, unknown>;
const at = (obj: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Dict | undefined)?.[k], obj);

describe.each(LOCALES)("%s", (locale) => {
  const m = messages[locale];

  test("the generated enums are all found", () => {
    const names = enums.map((e) => e.name).sort();
    expect(names).toEqual(expect.arrayContaining(["Category", "Channel", "Level", "Role", "Rule", "Severity", "Stage", "DeadlineKind", "PrincipalKind"]));
  });

  test.each(enums.map((e) => [e.name, e] as const))("every value of enum %s has a label", (_, e) => {
    const missing = e.values.filter((v) => {
      const label = at(m, "enum", e.name, v.name);
      return typeof label !== "string" || label.trim() === "";
    });
    expect(missing.map((v) => v.name)).toEqual([]);
  });

  test("every command kind and event kind has a label", () => {
    expect(commandKinds().filter((k) => typeof at(m, "commandKind", k) !== "string")).toEqual([]);
    expect(eventKinds().filter((k) => typeof at(m, "eventKind", k) !== "string")).toEqual([]);
  });

  test("every field of every command form has a label", () => {
    const names = (spec: FieldSpec[]): string[] => spec.flatMap((s) => [s.name, ...names(s.fields ?? [])]);
    const all = commandKinds().filter((k) => !NOT_FROM_CONSOLE.has(k) || k === "attach_evidence").flatMap((k) => names(formSpec(k)));
    expect([...new Set(all)].filter((n) => typeof at(m, "field", n) !== "string")).toEqual([]);
  });

  test("every field an event body shows has a label", () => {
    const seen = new Set<string>();
    const walk = (d: DescMessage, depth: number) => {
      for (const f of d.fields) {
        seen.add(f.name);
        if (depth < 3 && f.fieldKind === "message" && f.message.typeName.startsWith("docket.")) walk(f.message, depth + 1);
      }
    };
    for (const f of events.CaseEventSchema.fields) {
      if (f.oneof && f.fieldKind === "message" && f.name !== "directory_changed") walk(f.message, 0);
    }
    expect([...seen].filter((n) => typeof at(m, "field", n) !== "string")).toEqual([]);
  });

  test("every status code has a next step", () => {
    for (const code of ["ABORTED", "FAILED_PRECONDITION", "INVALID_ARGUMENT", "PERMISSION_DENIED", "UNAUTHENTICATED", "NOT_FOUND", "ALREADY_EXISTS", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "DEADLINE_EXCEEDED", "DATA_LOSS"]) {
      expect(typeof at(m, "refusal", "code", code)).toBe("string");
    }
  });
});

describe("the server's words", () => {
  test("name codes and amounts as the locale does", () => {
    const reason = "case C-1: a recovery of 60.00 CNY waits for DEADLINE_KIND_REPORT_UPWARD";
    i18n.global.locale.value = "zh-CN";
    expect(localizeReason(reason)).toBe("case C-1: a recovery of 60.00 元 waits for 上报时限");
    expect(localizeReason("NOT_A_CODE stays")).toBe("NOT_A_CODE stays");
    i18n.global.locale.value = "en";
    expect(localizeReason(reason)).toBe(
      `case C-1: a recovery of 60.00 CNY waits for ${messages.en.enum.DeadlineKind.DEADLINE_KIND_REPORT_UPWARD}`,
    );
    i18n.global.locale.value = "zh-CN";
  });

  // reasons-sample.json: one of each sentence the actions route gave on the
  // examples (scripts/load_examples.sh) for E-100, S-GZ, E-300 and C-100, and
  // refusals of commands and previews sent to docketd on them (a required
  // field, a stale revision, out of scope as POST /v1/commands says it...),
  // as the server words them. A sentence worded anew fails here until said.
  test("the engine's everyday sentences are said in Chinese", () => {
    i18n.global.locale.value = "zh-CN";
    expect(sample.length).toBeGreaterThan(50);
    const unsaid = (sample as string[]).filter((reason) => {
      const said = localizeReason(reason);
      // Chinese, with no English word nor code name left.
      return !/[\u4e00-\u9fff]/.test(said) || /[a-z]{3,}/.test(said) || /\b[A-Z]+_[A-Z_]+\b/.test(said);
    });
    expect(unsaid).toEqual([]);
  });

  // calculations-sample.json: the calculations of the examples' proposals
  // (their history, as the engine wrote them), and one of each other
  // clause engine/compensation.cc writes.
  test("a compensation's calculation is said in Chinese, clause by clause", () => {
    i18n.global.locale.value = "zh-CN";
    const unsaid = (calculations as string[]).filter((c) => {
      const said = localizeReason(c);
      return !/[\u4e00-\u9fff]/.test(said) || /[a-z]{3,}/.test(said) || /\dZ\b/.test(said);
    });
    expect(unsaid).toEqual([]);
    expect(localizeReason("uninsured, policy rate 20.00/kg × 2.410 kg = 48.20; the lesser of that and the claim 200.00: 48.20")).toBe(
      "未保价，按政策单价 20.00 元/千克 × 2.410 千克 = 48.20 元；与索赔金额 200.00 元取较小者：48.20 元",
    );
    // The engine's UTC instants in China Standard Time, as the console shows every time.
    expect(localizeReason("delay: delivered 2026-11-03T10:00:00Z, by the promised 2026-11-04T00:00:00Z: nothing waived")).toBe(
      "延误：2026-11-03 18:00 送达，未晚于承诺的 2026-11-04 08:00：不免运费",
    );
    // A clause the table does not know leaves the whole in the engine's words.
    expect(localizeReason("uninsured, policy rate 20.00/kg × 2.410 kg = 48.20; a new clause 1.00")).toBe(
      "uninsured, policy rate 20.00/kg × 2.410 kg = 48.20; a new clause 1.00",
    );
  });

  test("a command's refusal keeps its id, the case and the figures", () => {
    i18n.global.locale.value = "zh-CN";
    expect(localizeReason("case C-9 revision 4: expected 3")).toBe(
      "案件 C-9 已是第 4 版，而不是所期望的第 3 版：有人先改动了案件，请刷新后再试",
    );
    // As the engine words it (CheckRequiredFields), and an intake's own.
    expect(localizeReason("case C-9: record_follow_up.satisfaction is required")).toBe(
      `案件 C-9：「${messages["zh-CN"].commandKind.record_follow_up}」必须填写「${messages["zh-CN"].field.satisfaction}」`,
    );
    expect(localizeReason("case C-9: intake.channel is required")).toBe(`案件 C-9：必须填写「${messages["zh-CN"].field.channel}」`);
    expect(
      localizeReason("case C-1 cannot be archived yet; missing: payment of 1,060.00 CNY (or the customer declining it); the customer's response"),
    ).toBe("案件 C-1 还不能存档，尚缺：支付 1,060.00 元（或客户放弃赔偿）；客户的回复");
    expect(localizeReason("case C-E2E-0001: a DAMAGE case needs at least one photo before a resolution")).toBe(
      `案件 C-E2E-0001：${messages["zh-CN"].enum.Category.CATEGORY_DAMAGE}案件须先附加至少一张现场照片，才能提出处理方案`,
    );
    // A step the actions route names once, not twice.
    expect(localizeReason("escalate: ROLE_HANDLER E-1 may not send escalate (the policy's permissions)")).toBe(
      `${messages["zh-CN"].enum.Role.ROLE_HANDLER} E-1 无权进行「${messages["zh-CN"].commandKind.escalate}」（政策规定的权限）`,
    );
    i18n.global.locale.value = "en";
    expect(localizeReason("case C-9 revision 4: expected 3")).toBe("case C-9 revision 4: expected 3");
    i18n.global.locale.value = "zh-CN";
  });
});
