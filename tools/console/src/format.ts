// Times in China Standard Time and money in 元, for people. Dates by dayjs
// (with its time-zone and relative-time plugins), numbers by Intl.
import dayjs from "dayjs";
import utc from "dayjs/plugin/utc";
import timezone from "dayjs/plugin/timezone";
import relativeTime from "dayjs/plugin/relativeTime";
import "dayjs/locale/zh-cn";
import "dayjs/locale/en";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(relativeTime);

export const CST = "Asia/Shanghai";

export function dayjsLocale(locale: string): string {
  return locale === "en" ? "en" : "zh-cn";
}

export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

/** "2026-11-02 09:10" in China Standard Time; "—" for no time. */
export function formatTime(ts: Timestamp | Date | undefined, withSeconds = false): string {
  const d = ts instanceof Date ? ts : toDate(ts);
  if (!d) return "—";
  return dayjs(d).tz(CST).format(withSeconds ? "YYYY-MM-DD HH:mm:ss" : "YYYY-MM-DD HH:mm");
}

/** How the time pickers hold a time: China Standard Time's wall clock. */
export const WALL_CLOCK = "YYYY-MM-DD HH:mm:ss";

/** A time typed on China Standard Time's wall clock ("2026-11-28 12:55:00"),
 * whatever the browser's own zone: the instant it names. */
export function fromCstWallClock(text: string): Date {
  return dayjs.tz(text, CST).toDate();
}

/** An instant on China Standard Time's wall clock, as the pickers hold it. */
export function toCstWallClock(d: Date): string {
  return dayjs(d).tz(CST).format(WALL_CLOCK);
}

/** Whether the browser's clock reads China Standard Time: only then is a
 * picker's "now" (the browser's wall clock) China's. */
export function browserIsCst(at: Date = new Date()): boolean {
  return dayjs(at).utcOffset() === dayjs(at).tz(CST).utcOffset();
}

/** "2026-11-02" of a time, in China Standard Time. */
export function formatDay(d: Date): string {
  return dayjs(d).tz(CST).format("YYYY-MM-DD");
}

/** "3 小时前" / "in 2 days", in the given locale. */
export function fromNow(d: Date, locale: string, now: Date = new Date()): string {
  return dayjs(d).locale(dayjsLocale(locale)).from(dayjs(now));
}

/**
 * How long past a due time, in whole units and never rounded up: "9 天 17
 * 小时", "3 小时 05 分", "12 分钟" (en: "9 d 17 h", "3 h 05 min", "12 min").
 * A breach of 9 days 17 hours was shown as 10 days beside countdowns to the
 * second.
 */
export function overdueSpan(ms: number, locale: string): string {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const en = locale === "en";
  if (d > 0) return en ? `${d} d ${h} h` : `${d} 天 ${h} 小时`;
  if (h > 0) return en ? `${h} h ${String(m).padStart(2, "0")} min` : `${h} 小时 ${String(m).padStart(2, "0")} 分`;
  return en ? `${m} min` : `${m} 分钟`;
}

const yuanNumber = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: true });

/** Fen as 元 with two decimals: 4820n → "48.20 元" (zh-CN) or "CNY 48.20" (en). */
export function formatMoney(fen: bigint | number | undefined, locale: string): string {
  const n = Number(fen ?? 0) / 100;
  const s = yuanNumber.format(n);
  return locale === "en" ? `CNY ${s}` : `${s} 元`;
}

/** Grams as kilograms: 2410n → "2.41". */
export function formatKg(g: bigint | number | undefined): string {
  return new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 3 }).format(Number(g ?? 0) / 1000);
}
