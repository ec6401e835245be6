/** The journal as a timeline: who did what, when, to which unit and task, and the state before → after. */
import type { TrailEntry } from "@liandong/api"
import { useState } from "react"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { entryWords, type Names } from "./EntryWords.ts"

export type { Names } from "./EntryWords.ts"

/** How many entries the timeline shows at first, and adds per "show more". */
const step = 200

/** The timeline list. */
export const Timeline = ({
  entries,
  names,
}: {
  readonly entries: ReadonlyArray<TrailEntry>
  readonly names: Names
}) => {
  const { t, lang } = useI18n()
  const [shown, setShown] = useState(step)
  if (entries.length === 0) return <p className="muted">{t.audit.empty}</p>
  return (
    <>
      <ol className="timeline" data-testid="timeline">
        {entries.slice(0, shown).map((e) => {
          const w = entryWords(e, t, names)
          return (
            <li key={e.seq} data-seq={e.seq} data-event={e.event} data-unit={e.unit ?? ""} data-actor={e.actor}>
              <div className="when">
                #{e.seq} · <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
              </div>
              <div data-testid="entry-head">
                <strong>{w.event}</strong>
                {w.subject.map((part) => ` · ${part}`).join("")}
              </div>
              <div className="muted" data-testid="entry-who">
                {t.audit.actor}
                {t.colon}
                {w.actor}
                {t.open}
                {w.role}
                {w.actorUnit ? ` · ${w.actorUnit}` : ""}
                {t.close} · {t.audit.cause}
                {t.colon}
                {w.cause}
              </div>
              {e.before || e.after ? (
                <div className="transition-text" data-testid="before-after">
                  <span className="visually-hidden">
                    {t.audit.beforeAfter}
                    {t.colon}
                  </span>
                  {w.changes.map((c) => (
                    <div key={c.path} data-path={c.path}>
                      {c.region ? `${c.region}${t.colon}` : ""}
                      {c.from} → <strong>{c.to}</strong>
                    </div>
                  ))}
                  <details>
                    <summary>{t.audit.fullState}</summary>
                    {e.before || "∅"} → {e.after || "∅"}
                  </details>
                </div>
              ) : null}
              {w.notes.length > 0 ? (
                <div data-testid="entry-notes">
                  {t.audit.detail}
                  {t.colon}
                  {w.notes.join(t.listSeparator)}
                </div>
              ) : null}
            </li>
          )
        })}
      </ol>
      {entries.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + step)}>
          {t.audit.showMore(shown, entries.length)}
        </button>
      ) : null}
    </>
  )
}
