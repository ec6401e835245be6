/**
 * The trail's time filters as typed text, year first as offices write dates
 * (2026-04-14, 2026/4/14, 2026年4月14日, with or without 09:30), whatever
 * the browser's own date format; full-width digits and colons are read too.
 * The address keeps one form (`2026-04-14` or `2026-04-14T09:30`) so a shared
 * link means the same to everyone; times are the reader's local time.
 */

/** A date, and a time of day when one was given. */
export interface FilterTime {
  readonly date: string
  readonly time: string | null
}

const pattern =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T|\s*日\s*)(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?)?$/

const two = (n: number) => String(n).padStart(2, "0")

/** Reads typed text as a date and optional time; null when it is not a real one. */
export const parseFilterTime = (text: string): FilterTime | null => {
  const match = pattern.exec(text.normalize("NFKC").trim())
  if (match === null) return null
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null
  const date = `${year}-${two(month)}-${two(day)}`
  if (match[4] === undefined) return { date, time: null }
  const [hours, minutes] = [Number(match[4]), Number(match[5])]
  if (hours > 23 || minutes > 59) return null
  return { date, time: `${two(hours)}:${two(minutes)}` }
}

/** The form kept in the address: `2026-04-14` or `2026-04-14T09:30`. */
export const addressForm = (value: FilterTime): string =>
  value.time === null ? value.date : `${value.date}T${value.time}`

/** The form shown in the field: `2026-04-14` or `2026-04-14 09:30` (unreadable text as it is). */
export const fieldForm = (address: string): string => {
  const value = parseFilterTime(address)
  return value === null ? address : value.time === null ? value.date : `${value.date} ${value.time}`
}

/** True when "from" comes before "until" (a date alone for "until" runs to the end of its day). */
export const inOrder = (since: FilterTime, until: FilterTime): boolean =>
  `${since.date}T${since.time ?? "00:00"}` < `${until.date}T${until.time ?? "24:00"}`

/**
 * The instant a bound stands for, in the reader's time zone: a date alone
 * starts the day for "from" and includes the whole day for "until" (the
 * server's `until` is exclusive). Undefined when the text is not a time.
 */
export const boundInstant = (address: string, bound: "since" | "until"): string | undefined => {
  const value = parseFilterTime(address)
  if (value === null) return undefined
  const [year, month, day] = value.date.split("-").map(Number) as [number, number, number]
  if (value.time === null) return new Date(year, month - 1, bound === "until" ? day + 1 : day).toISOString()
  const [hours, minutes] = value.time.split(":").map(Number) as [number, number]
  return new Date(year, month - 1, day, hours, minutes).toISOString()
}
