/**
 * A person's notice preferences: which kinds of notice reach them by email (in-app notices
 * always arrive: they are the record), and quiet hours in their time zone during which no
 * email is sent — an email falling due then waits until the quiet hours end. No preferences
 * set: every kind by email, no quiet hours. Only a person sets their own; changing them is
 * not a campaign event, so no journal row, only `updated_at`.
 */
import { Effect, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { wallNow } from "../Clock.ts"
import { query } from "../Db.ts"
import { NotAllowed } from "../Errors.ts"
import { decode } from "../Refs.ts"
import { type PreferencesRow, selectPreferences, upsertPreferences } from "../sql/Preferences.ts"

/** Every kind of notice a person can receive. */
export const preferenceKinds = [
  "reminder",
  "overdue",
  "returned",
  "approved",
  "phase-opened",
  "nudge",
  "escalated",
] as const
type NoticeKind = (typeof preferenceKinds)[number]

/** The time zone quiet hours are read in when a person names none. */
export const defaultTimeZone = "Asia/Shanghai"

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const Time = Schema.String.check(
  Schema.isPattern(/^([01]\d|2[0-3]):[0-5]\d$/u, {
    message: "时间须为 HH:MM(00:00–23:59) / a time is HH:MM (00:00–23:59)",
  }),
)

/** Quiet hours: from one local time to another, across midnight when `to` is earlier. */
export const QuietHours = Schema.Struct({ from: Time, to: Time }).check(
  Schema.makeFilter((hours) =>
    hours.from === hours.to
      ? {
          path: ["to"],
          issue: "免打扰的开始和结束时间不能相同 / quiet hours cannot start and end at the same time",
        }
      : undefined,
  ),
)

/** What a person sets: the kinds not sent by email, quiet hours (null: none), their time zone. */
export const PreferencesInput = Schema.Struct({
  muted: Schema.Array(Schema.Literals(preferenceKinds)).check(
    Schema.isMaxLength(preferenceKinds.length, {
      message: `最多 ${preferenceKinds.length} 种通知 / at most ${preferenceKinds.length} kinds`,
    }),
  ),
  quietHours: Schema.NullOr(QuietHours),
  timeZone: Schema.optional(
    Schema.String.check(
      Schema.isMaxLength(64, { message: "时区名称过长 / the time zone's name is too long" }),
      Schema.makeFilter((zone) =>
        isTimeZone(zone) ? undefined : "不认识的时区,例如 Asia/Shanghai / not a time zone, e.g. Asia/Shanghai",
      ),
    ),
  ),
})
export type PreferencesInput = typeof PreferencesInput.Type

/** A person's preferences as read: the defaults when none were set (`updatedAt` null). */
export interface Preferences {
  readonly muted: ReadonlyArray<NoticeKind>
  readonly quietHours: { readonly from: string; readonly to: string } | null
  readonly timeZone: string
  readonly updatedAt: string | null
}

/** The preferences a stored row (or none) stands for. */
export const preferencesOf = (row: PreferencesRow | undefined): Preferences =>
  row === undefined
    ? { muted: [], quietHours: null, timeZone: defaultTimeZone, updatedAt: null }
    : {
        muted: preferenceKinds.filter((kind) => row.muted_kinds.includes(kind)),
        quietHours:
          row.quiet_from === null || row.quiet_to === null ? null : { from: row.quiet_from, to: row.quiet_to },
        timeZone: row.time_zone,
        updatedAt: new Date(row.updated_at).toISOString(),
      }

const onlyPeople = (actor: Actor, action: string) =>
  actor.kind === "principal"
    ? Effect.succeed(actor.id)
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action,
          zh: "通知设置属于个人:只有登录的人员可以查看和修改自己的通知设置",
          en: "notice preferences belong to a person: only a signed-in person reads and sets their own",
        }),
      )

/** The actor's own notice preferences (the defaults when never set). */
export const myPreferences = (actor: Actor) =>
  Effect.gen(function* () {
    const id = yield* onlyPeople(actor, "preferences.read")
    return preferencesOf(yield* query("preferences.get", (db) => selectPreferences(db, id)))
  })

/** Sets the actor's own notice preferences, replacing what they had; answers them as stored. */
export const setPreferences = (actor: Actor, input: unknown) =>
  Effect.gen(function* () {
    const id = yield* onlyPeople(actor, "preferences.set")
    const wanted = yield* decode(PreferencesInput, input)
    const at = yield* wallNow
    yield* query("preferences.set", (db) =>
      upsertPreferences(db, id, {
        muted: preferenceKinds.filter((kind) => wanted.muted.includes(kind)),
        quietFrom: wanted.quietHours?.from ?? null,
        quietTo: wanted.quietHours?.to ?? null,
        timeZone: wanted.timeZone ?? defaultTimeZone,
        at,
      }),
    )
    return preferencesOf(yield* query("preferences.get", (db) => selectPreferences(db, id)))
  })

/** The offset of `zone` from UTC at `at`, in milliseconds. */
const offsetMs = (at: Date, zone: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(at)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return local - (at.getTime() - at.getUTCMilliseconds())
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/**
 * When an email due at `at` may go, given quiet hours in `zone`: `at` itself outside them,
 * else the end of the quiet period (the next `to`, local time) — across midnight when `from`
 * is later than `to`. Pure: the clock is the caller's.
 */
export const afterQuietHours = (
  at: Date,
  quiet: { readonly from: string; readonly to: string } | null,
  zone: string,
): Date => {
  if (quiet === null) return at
  const offset = offsetMs(at, zone)
  const local = new Date(at.getTime() + offset)
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes()
  const from = minutesOf(quiet.from)
  const to = minutesOf(quiet.to)
  const quietNow = from < to ? minute >= from && minute < to : minute >= from || minute < to
  if (!quietNow) return at
  const wait = (to - minute + 1440) % 1440
  // The start of this local minute, then on to the end of the window.
  const startOfMinute = at.getTime() - local.getUTCSeconds() * 1000 - local.getUTCMilliseconds()
  const end = startOfMinute + wait * 60_000
  // A change of offset in between (summer time) moves the local `to` by as much.
  return new Date(end + (offset - offsetMs(new Date(end), zone)))
}
