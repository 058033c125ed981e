// vue-i18n set-up: zh-CN first, English on request (remembered per browser).
import { createI18n } from "vue-i18n";
import type { DescEnum } from "@bufbuild/protobuf";
import zhCN, { type Messages } from "./zh-CN";
import en from "./en";

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
 * engine) with the code names in them as this locale calls them
 * ("DEADLINE_KIND_REPORT_UPWARD" → "上报时限") and, in Chinese, amounts in 元.
 */
export function localizeReason(text: string): string {
  const locale = i18n.global.locale.value as Locale;
  const enums = messages[locale].enum as Record<string, Record<string, string>>;
  let out = text.replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, (name) => {
    for (const [schema, values] of Object.entries(enums)) {
      if (schema === "Rule") continue; // Its labels are sentences; a reason names its rule apart.
      if (typeof values[name] === "string") return values[name];
    }
    return name;
  });
  if (locale === "zh-CN") out = out.replace(/(\d[\d,]*\.\d{2}) CNY\b/g, "$1 元");
  return out;
}

export const commandLabel = (kind: string): string => t(`commandKind.${kind}`);
export const eventLabel = (kind: string): string => t(`eventKind.${kind}`);
export const fieldLabel = (name: string): string => t(`field.${name}`);
