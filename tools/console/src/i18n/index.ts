// vue-i18n set-up: zh-CN first, English on request (remembered per browser).
import { createI18n } from "vue-i18n";
import type { DescEnum } from "@bufbuild/protobuf";
import zhCN, { type Messages } from "./zh-CN";
import en from "./en";
import { codesLabelled, reasonInChinese, timesInCst } from "./reasons";

export type Locale = "zh-CN" | "en";
export const LOCALES: Locale[] = ["zh-CN", "en"];
const KEY = "docket.locale";

function initialLocale(): Locale {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null;
  return saved === "en" ? "en" : "zh-CN";
}

export const messages: Record<Locale, Messages> = { "zh-CN": zhCN, en };

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: "zh-CN",
  messages,
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

const t = (key: string, named?: Record<string, unknown>): string =>
  named ? i18n.global.t(key, named) : i18n.global.t(key);

/** The label of an enum value of docket.v1, e.g. (CategorySchema, 2) → "破损". */
export function enumLabel(schema: DescEnum, value: number | undefined): string {
  const v = schema.values.find((x) => x.number === (value ?? 0));
  return v ? t(`enum.${schema.name}.${v.name}`) : String(value);
}

/** The same, from the value's JSON name ("CATEGORY_DAMAGE") or the report's short one ("DAMAGE"). */
export function enumLabelByName(schema: DescEnum, name: string): string {
  const v = schema.values.find((x) => x.name === name || x.name === `${schema.sharedPrefix ?? ""}${name}`)
    ?? schema.values.find((x) => x.name.endsWith(`_${name}`));
  return v ? t(`enum.${schema.name}.${v.name}`) : name;
}

/**
 * The server's words (a refusal's reason, a calculation: English, from the
 * engine) as this locale says them: in Chinese, the engine's everyday
 * sentences translated whole (./reasons) and any other with its code names
 * and amounts in Chinese; in English, its code names labelled
 * ("DEADLINE_KIND_REPORT_UPWARD" → "Report upward"). Either way its UTC
 * instants are shown in China Standard Time, as every time in the console.
 */
export function localizeReason(text: string): string {
  const locale = i18n.global.locale.value as Locale;
  if (locale === "zh-CN") return reasonInChinese(text);
  return timesInCst(codesLabelled(text, messages[locale].enum as unknown as Record<string, Record<string, string>>));
}

export const commandLabel = (kind: string): string => t(`commandKind.${kind}`);
export const eventLabel = (kind: string): string => t(`eventKind.${kind}`);
export const fieldLabel = (name: string): string => t(`field.${name}`);
