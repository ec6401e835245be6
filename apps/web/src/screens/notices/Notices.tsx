/**
 * The signed-in person's notices (in-app): newest first, unread ones marked, each with its
 * subject, campaign and time, a nudge's message and who sent it; mark one or all read. Below
 * them, the person's notice settings (kinds by email, quiet hours).
 */
import type { NoticeItem } from "@liandong/api"
import { useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { reads } from "../../api/Reads.ts"
import { earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"
import { NoticeSettings } from "./Settings.tsx"
import { noticesChanged } from "./Unread.ts"

/** The notices screen for `/notices`. */
export const Notices = () => {
  const { t, lang, pick } = useI18n()
  const { api } = useSession()
  const notices = useResource(
    (conn) => conn.run((client) => client.notices.list({ query: { limit: 100 } })),
    [],
    earlyValue(reads.notices),
  )
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [said, setSaid] = useState("")
  const [busy, setBusy] = useState(false)
  const mark = async (ids: ReadonlyArray<string> | "all") => {
    setBusy(true)
    setFailure(null)
    try {
      const answer = await api.run((client) =>
        client.notices.read({ headers: { "idempotency-key": newKey() }, payload: { ids } }),
      )
      setSaid(t.notices.marked(answer.marked))
      notices.reload()
      noticesChanged()
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  const data = notices.data
  return (
    <>
      <section className="panel" aria-labelledby="notices-h">
        <div className="task-head">
          <h1 id="notices-h" style={{ margin: 0 }}>
            {t.notices.heading}
          </h1>
          {data && data.unread > 0 ? (
            <button type="button" disabled={busy} onClick={() => void mark("all")}>
              {t.notices.markAllRead}
            </button>
          ) : null}
        </div>
        <p className="visually-hidden" role="status" aria-live="polite">
          {said}
        </p>
        {notices.failure ? <ProblemNotice failure={notices.failure} onRetry={notices.reload} /> : null}
        {failure ? <ProblemNotice failure={failure} /> : null}
        {data === undefined ? (
          notices.failure ? null : (
            <Loading />
          )
        ) : data.items.length === 0 ? (
          <p className="muted" data-testid="notices-empty">
            {t.notices.empty}
          </p>
        ) : (
          <ul className="task-list" data-testid="notices">
            {data.items.map((item: NoticeItem) => (
              <li key={item.id} className="task" data-notice={item.id} data-kind={item.kind} data-read={item.read}>
                <p style={{ margin: 0 }}>
                  <span className={`badge ${item.read ? "badge-closed" : "badge-active"}`}>
                    {item.read ? t.notices.read : t.notices.unread}
                  </span>{" "}
                  <span className={`badge ${item.kind === "nudge" ? "badge-returned" : "badge-waiting"}`}>
                    {t.notices.kinds[item.kind] ?? item.kind}
                  </span>{" "}
                  {item.read ? item.subject : <strong>{item.subject}</strong>}
                </p>
                <p className="muted" style={{ margin: "0.2rem 0" }}>
                  {pick({ zh: item.campaignTitle, en: item.campaignTitleEn })} · {formatDateTime(item.at, lang)}
                  {item.by ? ` · ${t.notices.from(item.byName ?? item.by)}` : ""}
                </p>
                {item.message ? (
                  <blockquote className="return-reason" data-testid="notice-message">
                    <span className="visually-hidden">
                      {t.notices.message}
                      {t.colon}
                    </span>
                    {item.message}
                  </blockquote>
                ) : null}
                {item.read ? null : (
                  <div className="actions">
                    <button type="button" disabled={busy} onClick={() => void mark([item.id])}>
                      {t.notices.markRead}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <NoticeSettings />
    </>
  )
}
