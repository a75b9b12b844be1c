/** Numbers, money and dates as people in the UK read them (en-GB), in one place. */
import type { Schemas } from "./api/client";

const LOCALE = "en-GB";
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const upToTwoDecimals = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat(LOCALE, {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
const moment = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
const calendarMonth = new Intl.DateTimeFormat(LOCALE, { month: "long", year: "numeric", timeZone: "UTC" });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** A measured number (a median, minutes, a price) with up to two decimals. */
export function formatNumber(value: number): string {
  return upToTwoDecimals.format(value);
}

/** A percentage the API rounded to one decimal; null when it cannot be computed. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? "Not available" : `${oneDecimal.format(value)}%`;
}

export function formatMoney(money: Schemas["Money"]): string {
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency: money.currency }).format(money.amount);
}

/** Amounts in several currencies, each with its own symbol; "£0.00" when there is nothing. */
export function formatAmounts(amounts: readonly Schemas["Money"][], fallbackCurrency = "GBP"): string {
  if (amounts.length === 0) {
    return formatMoney({ currency: fallbackCurrency, amount: 0 });
  }
  return amounts.map(formatMoney).join(" + ");
}

/** A calendar date the API sends as YYYY-MM-DD (the data's own day, no time zone). */
export function formatDay(isoDate: string): string {
  return day.format(new Date(`${isoDate}T00:00:00Z`));
}

/** A calendar month the API sends as YYYY-MM: "November 2026". */
export function formatMonth(isoMonth: string): string {
  return calendarMonth.format(new Date(`${isoMonth}-01T00:00:00Z`));
}

/** The calendar day `days` before `isoDate` (both YYYY-MM-DD), for a trend's `from`. */
export function daysBefore(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

export function formatMoment(isoDateTime: string): string {
  return moment.format(new Date(isoDateTime));
}

export function formatDaysLeft(days: number): string {
  if (days === 0) {
    return "today";
  }
  return days === 1 ? "in 1 day" : `in ${formatCount(days)} days`;
}
