/**
 * A deadline with the time left, ticking every minute; past the deadline it
 * says how long ago, and an overdue task is marked in words, not colour only.
 */
import { useEffect, useState } from "react"
import { formatDeadline } from "../i18n/Format.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { campaignNow, useSession } from "../session/Session.tsx"

/** Splits a span of milliseconds into days, hours and minutes. */
export const span = (ms: number) => {
  const minutes = Math.floor(Math.abs(ms) / 60_000)
  return { days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60 }
}

/** The campaign's time for countdowns, re-rendering every half minute. */
const useNow = (): number => {
  const { clock } = useSession()
  const [now, setNow] = useState(() => campaignNow(clock))
  useEffect(() => {
    setNow(campaignNow(clock))
    const timer = setInterval(() => setNow(campaignNow(clock)), 30_000)
    return () => clearInterval(timer)
  }, [clock])
  return now
}

/** Shows a deadline and the time left or past. */
export const Countdown = ({
  deadline,
  overdue,
  done,
  timeZone,
}: {
  readonly deadline: string
  readonly overdue: boolean
  readonly done: boolean
  readonly timeZone?: string | undefined
}) => {
  const { t, lang } = useI18n()
  const now = useNow()
  const left = new Date(deadline).getTime() - now
  const parts = span(left)
  const late = overdue || (!done && left < 0)
  return (
    <span className={`countdown${late ? " late" : left < 86_400_000 && !done ? " soon" : ""}`}>
      <time dateTime={deadline}>{formatDeadline(deadline, lang, timeZone)}</time>
      {done ? null : <span className="countdown-left">{left >= 0 ? t.time.left(parts) : t.time.ago(parts)}</span>}
      {late ? <span className="badge badge-overdue">{t.status.overdue}</span> : null}
    </span>
  )
}
