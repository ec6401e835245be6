/**
 * Times as authors write them, resolved in the campaign's time zone with Intl
 * (no library): a date alone, a local date-time, or an instant with an offset.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (timeZone: string) => {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** True when Intl knows the zone. */
export const isTimeZone = (timeZone: string): boolean => {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

/**
 * The wall-clock time a zone's clocks show at an instant, as a Date whose UTC fields hold it
 * (for spreadsheets and text, which have no time zones); whole seconds.
 */
export const wallClockAt = (instant: Date | number, timeZone: string): Date => {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  )
  return new Date(
    Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    ),
  )
}

/**
 * For a whole-day deadline — stored as the zone's next midnight — an instant inside the day it
 * closes (so it reads "7月3日 24:00", not "7月4日 00:00"); undefined for any other instant.
 */
export const wholeDayEnding = (instant: Date, timeZone: string): Date | undefined => {
  const wall = wallClockAt(instant, timeZone)
  return wall.getUTCHours() === 0 && wall.getUTCMinutes() === 0 && wall.getUTCSeconds() === 0
    ? new Date(instant.getTime() - 1)
    : undefined
}

/** The zone's offset from UTC at an instant, in milliseconds. */
const offsetAt = (instant: number, timeZone: string): number =>
  wallClockAt(instant, timeZone).getTime() - Math.floor(instant / 1000) * 1000

/** The instant a wall-clock time in a zone names (the earlier one when a clock change repeats it). */
export const zonedToInstant = (
  fields: { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number },
  timeZone: string,
): number => {
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, fields.ms)
  const first = wall - offsetAt(wall, timeZone)
  const second = wall - offsetAt(first, timeZone)
  return offsetAt(second, timeZone) === offsetAt(first, timeZone) ? Math.min(first, second) : second
}

const pattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/

/**
 * Resolves an author's time to an ISO instant. A date alone means the start
 * of that day, or with `endOfDay` the end of it (midnight of the next day).
 * Returns undefined for text that is not a valid time.
 */
export const resolveTime = (text: string, timeZone: string, endOfDay = false): string | undefined => {
  const m = pattern.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, ms, zone] = m
  const fields = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: h === undefined ? 0 : Number(h),
    minute: mi === undefined ? 0 : Number(mi),
    second: s === undefined ? 0 : Number(s),
    ms: ms === undefined ? 0 : Number(ms.padEnd(3, "0")),
  }
  const check = new Date(Date.UTC(fields.year, fields.month - 1, fields.day))
  if (check.getUTCMonth() !== fields.month - 1 || check.getUTCDate() !== fields.day) return undefined
  if (fields.hour > 23 || fields.minute > 59 || fields.second > 59) return undefined
  if (h === undefined && endOfDay) {
    const next = new Date(Date.UTC(fields.year, fields.month - 1, fields.day + 1))
    fields.year = next.getUTCFullYear()
    fields.month = next.getUTCMonth() + 1
    fields.day = next.getUTCDate()
  }
  if (zone !== undefined) {
    const wall = Date.UTC(
      fields.year,
      fields.month - 1,
      fields.day,
      fields.hour,
      fields.minute,
      fields.second,
      fields.ms,
    )
    const offset =
      zone === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
    return new Date(wall - offset * 60_000).toISOString()
  }
  return new Date(zonedToInstant(fields, timeZone)).toISOString()
}

/** Milliseconds in an ISO-8601 duration of days, hours and minutes (`P1D`, `PT4H`, `P1DT12H`). */
export const durationMs = (duration: string): number => {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration)
  if (m === null) return Number.NaN
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000
}
