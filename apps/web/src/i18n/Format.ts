/**
 * Dates and numbers in the reader's language; times in the campaign's time
 * zone when it is known, so a deadline reads the same for everyone.
 */
import { wholeDayEnding } from "@liandong/workflow/time"
import type { Language } from "./Messages.ts"

const locale = (lang: Language) => (lang === "zh" ? "zh-CN" : "en-GB")

// A formatter costs far more to make than to use (a phone's first one loads the locale's
// data): one per language, style and zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>()
const dateFormat = (lang: Language, withTime: boolean, timeZone: string | undefined): Intl.DateTimeFormat => {
  const key = `${lang} ${withTime} ${timeZone ?? ""}`
  let format = formatters.get(key)
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale(lang), {
      dateStyle: "medium",
      ...(withTime ? { timeStyle: "short" } : {}),
      ...(timeZone ? { timeZone } : {}),
    })
    formatters.set(key, format)
  }
  return format
}

let browserZone: string | undefined
const browserTimeZone = (): string => {
  browserZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone
  return browserZone
}

/** A date and time, e.g. 2026年4月24日 18:00. */
export const formatDateTime = (iso: string, lang: Language, timeZone?: string): string =>
  dateFormat(lang, true, timeZone).format(new Date(iso))

/**
 * A deadline as offices write it: a whole-day deadline (the end of 7月3日, stored as the next
 * midnight) reads "2026年7月3日 24:00", not the next day at 00:00.
 */
export const formatDeadline = (iso: string, lang: Language, timeZone?: string): string => {
  const zone = timeZone ?? browserTimeZone()
  const ending = wholeDayEnding(new Date(iso), zone)
  if (ending === undefined) return formatDateTime(iso, lang, timeZone)
  const day = dateFormat(lang, false, zone).format(ending)
  return lang === "zh" ? `${day} 24:00` : `${day}, 24:00`
}

/** A number with grouping, as text of any length (figures are decimal strings). */
export const formatNumber = (value: string | number, lang: Language): string => {
  const text = String(value)
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text
  const [whole, fraction] = text.split(".")
  const grouped = new Intl.NumberFormat(locale(lang)).format(BigInt(whole as string))
  return fraction ? `${grouped}.${fraction}` : grouped
}
