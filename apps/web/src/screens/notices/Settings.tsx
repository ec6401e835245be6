/**
 * 通知设置: which kinds of notice also reach the signed-in person by email (in-app notices
 * always arrive), and quiet hours during which no email is sent — it waits until they end.
 */
import type { NoticePreferences } from "@liandong/api"
import { useEffect, useId, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { reads } from "../../api/Reads.ts"
import { earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"

const kinds = ["reminder", "overdue", "returned", "approved", "phase-opened", "nudge", "escalated"] as const

/** The notice settings form, on the notices screen. */
export const NoticeSettings = () => {
  const { t } = useI18n()
  const { api } = useSession()
  const id = useId()
  const stored = useResource(
    (conn) => conn.run((client) => client.notices.preferences()),
    [],
    earlyValue(reads.preferences),
  )
  const [muted, setMuted] = useState<ReadonlySet<string>>(new Set())
  const [from, setFrom] = useState("")
  const [to, setTo] = useState("")
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null)
  const show = (prefs: NoticePreferences) => {
    setMuted(new Set(prefs.muted))
    setFrom(prefs.quietHours?.from ?? "")
    setTo(prefs.quietHours?.to ?? "")
  }
  useEffect(() => {
    const prefs = stored.data
    if (prefs === undefined) return
    setMuted(new Set(prefs.muted))
    setFrom(prefs.quietHours?.from ?? "")
    setTo(prefs.quietHours?.to ?? "")
  }, [stored.data])
  const halfGiven = (from === "") !== (to === "")
  const save = async () => {
    setFailure(null)
    setSaid(null)
    if (halfGiven) {
      setSaid({ ok: false, text: t.noticeSettings.bothTimes })
      return
    }
    setBusy(true)
    try {
      const answer = await api.run((client) =>
        client.notices.setPreferences({
          payload: {
            muted: kinds.filter((kind) => muted.has(kind)),
            quietHours: from === "" ? null : { from: from.slice(0, 5), to: to.slice(0, 5) },
            ...(stored.data ? { timeZone: stored.data.timeZone } : {}),
          },
        }),
      )
      show(answer)
      setSaid({ ok: true, text: t.noticeSettings.saved })
    } catch (cause) {
      setFailure(cause as ApiFailure)
      setSaid({ ok: false, text: t.noticeSettings.notSaved })
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="panel" aria-labelledby={`${id}-h`} data-testid="notice-settings">
      <h2 id={`${id}-h`}>{t.noticeSettings.heading}</h2>
      <p className="muted" style={{ marginTop: 0 }}>
        {t.noticeSettings.intro}
      </p>
      {stored.failure ? <ProblemNotice failure={stored.failure} onRetry={stored.reload} /> : null}
      {stored.data === undefined ? (
        stored.failure ? null : (
          <Loading />
        )
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void save()
          }}
        >
          <fieldset className="choices">
            <legend>{t.noticeSettings.byEmail}</legend>
            {kinds.map((kind) => (
              <label key={kind}>
                <input
                  type="checkbox"
                  name="email"
                  value={kind}
                  checked={!muted.has(kind)}
                  onChange={(event) => {
                    const next = new Set(muted)
                    if (event.target.checked) next.delete(kind)
                    else next.add(kind)
                    setMuted(next)
                  }}
                />{" "}
                {t.notices.kinds[kind] ?? kind}
              </label>
            ))}
          </fieldset>
          <fieldset className="choices">
            <legend>{t.noticeSettings.quietHours}</legend>
            <p className="hint" id={`${id}-quiet-hint`} style={{ marginTop: 0 }}>
              {t.noticeSettings.quietHint(stored.data.timeZone)}
            </p>
            <div className="field">
              <label htmlFor={`${id}-from`}>{t.noticeSettings.from}</label>
              <input
                id={`${id}-from`}
                type="time"
                value={from}
                aria-describedby={`${id}-quiet-hint`}
                onChange={(event) => setFrom(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-to`}>{t.noticeSettings.to}</label>
              <input
                id={`${id}-to`}
                type="time"
                value={to}
                aria-describedby={`${id}-quiet-hint`}
                onChange={(event) => setTo(event.target.value)}
              />
            </div>
          </fieldset>
          {failure ? <ProblemNotice failure={failure} /> : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {t.noticeSettings.save}
            </button>
          </div>
          <p
            data-testid="notice-settings-said"
            className={said === null ? "visually-hidden" : `notice ${said.ok ? "ok" : "bad"}`}
            role="status"
            aria-live="polite"
          >
            {said?.text ?? ""}
          </p>
        </form>
      )}
    </section>
  )
}
