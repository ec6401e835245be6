/**
 * The small shapes every part of the contract shares: keys, report numbers,
 * times, labels and the page of a paginated listing. Messages are bilingual,
 * "中文 / English", so the server can answer in either language.
 */
import { Schema } from "effect"

/** A key naming a campaign, unit, phase, task or figure. */
export const Key = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/u, {
    message:
      "须为小写字母、数字和连字符组成的标识(最长 63 字符) / must be lower-case letters, digits and dashes (at most 63 characters)",
  }),
).annotate({ description: "lower-case letters, digits and dashes", examples: ["ip-week-2026"] })

/** A report's number. */
export const ReportId = Schema.String.check(
  Schema.isPattern(/^[1-9][0-9]{0,17}$/u, { message: "报送编号须为正整数 / a report number is a positive integer" }),
).annotate({ description: "a report number", examples: ["42"] })

const isoTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/u

/** True when an ISO time's fields name a real instant: no 13th month, 30 February, 24:00 or 99:99. */
export const isRealIsoTime = (text: string): boolean => {
  const m = isoTimePattern.exec(text)
  if (m === null) return false
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = m
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[]
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day))
  return (
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    second <= 59 &&
    offsetHours <= 18 &&
    offsetMinutes <= 59
  )
}

/** An instant with its offset, as the API reads and writes times. */
export const IsoTime = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/u, {
    message: "须为带时区的 ISO 时间,如 2026-04-20T09:00+08:00 / an ISO time with offset, e.g. 2026-04-20T09:00+08:00",
  }),
  Schema.makeFilter((text: string) => isRealIsoTime(text), {
    message:
      "不是真实存在的日期或时间(月、日、时、分超出范围) / not a real date or time (month, day, hour or minute out of range)",
  }),
).annotate({ description: "an ISO 8601 instant with offset", examples: ["2026-04-20T09:00:00.000Z"] })

/**
 * Where text holds what PostgreSQL cannot store or Unicode does not allow: a NUL character, or
 * half of a surrogate pair. Walks objects and arrays, keys included; the paths of the first few.
 */
export const unstorableText = (value: unknown, path: ReadonlyArray<PropertyKey> = []): Array<PropertyKey[]> => {
  const found: Array<PropertyKey[]> = []
  const walk = (v: unknown, at: ReadonlyArray<PropertyKey>) => {
    if (found.length >= 10) return
    if (typeof v === "string") {
      if (v.includes("\u0000") || !v.isWellFormed()) found.push([...at])
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, [...at, i])
    } else if (typeof v === "object" && v !== null)
      for (const [key, item] of Object.entries(v)) {
        if (key.includes("\u0000") || !key.isWellFormed()) found.push([...at, key])
        else walk(item, [...at, key])
      }
  }
  walk(value, path)
  return found
}

/** The message for text with a NUL character or a lone surrogate. */
export const unstorableTextMessage =
  "含有不允许的字符(NUL 或不成对的代理项) / contains a character that is not allowed (NUL or a lone surrogate)"

/** A check that refuses, at each place, text holding a NUL character or a lone surrogate. */
export const isStorableText = <T>() =>
  Schema.makeFilter<T>((value) => unstorableText(value).map((path) => ({ path, issue: unstorableTextMessage })), {
    message: unstorableTextMessage,
  })

/** Free text a person writes: anything but NUL characters and lone surrogates. */
export const Text = Schema.String.check(isStorableText<string>())

/** An idempotency key: printable ASCII, 1–200 characters. */
export const IdempotencyKey = Schema.String.check(
  Schema.isPattern(/^[\x21-\x7e]{1,200}$/u, {
    message: "幂等键须为 1–200 个可打印 ASCII 字符 / an idempotency key is 1–200 printable ASCII characters",
  }),
).annotate({ description: "repeat it to retry safely: the first answer is replayed" })

/** The optional Idempotency-Key header every POST accepts. */
export const IdempotencyHeaders = { "idempotency-key": Schema.optional(IdempotencyKey) }

/** A label in Chinese, with its English rendering when the definition gives one. */
export const Label = Schema.Struct({ zh: Schema.String, en: Schema.NullOr(Schema.String) })

/** How many items a page holds (1–500, default 100). */
export const Limit = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: 500 }, { message: "每页条数须在 1 到 500 之间 / limit is 1 to 500" }),
)

/** An opaque position in a listing, from the previous page's `nextCursor`. */
export const Cursor = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_-]{1,200}$/u, { message: "游标无效 / not a cursor from this API" }),
)

/** The query fields of every paginated listing. */
export const PageQuery = { limit: Schema.optional(Limit), cursor: Schema.optional(Cursor) }

/** A page of a listing: its items, and the cursor of the next page (null on the last). */
export const Page = <S extends Schema.Top>(item: S) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) })

/** The roles a principal can hold. */
export const Role = Schema.Literals(["coordinator", "unit", "auditor"])

/** Administrative levels of units. */
export const UnitLevel = Schema.Literals(["national", "province", "city", "county"])

/** A campaign's lifecycle. */
export const CampaignStatus = Schema.Literals(["deployed", "running", "summarizing", "closed"])

/** A unit task's state. */
export const TaskStatus = Schema.Literals([
  "waiting",
  "assigned",
  "acknowledged",
  "submitted",
  "returned",
  "approved",
  "closed",
])

/** A report's review state. */
export const ReportStatus = Schema.Literals(["submitted", "approved", "returned"])
