/** The journal as a timeline: who did what, when, to which unit and task, and the state before → after. */
import type { TrailEntry } from "@liandong/api"
import { useState } from "react"
import { useI18n } from "../../i18n/I18n.tsx"
import { formatDateTime } from "../../i18n/format.ts"
import { stateChanges } from "../../machine/stateText.ts"
import { stateWords } from "../../machine/stateWords.ts"

/** Names for unit and task keys. */
export interface Names {
  readonly unit: (key: string | null) => string
  readonly task: (key: string | null) => string
  readonly phase: (key: string) => string
}

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
  const unitWords = stateWords("unit", t, names)
  const campaignWords = stateWords("campaign", t, names)
  if (entries.length === 0) return <p className="muted">{t.audit.empty}</p>
  return (
    <>
      <ol className="timeline" data-testid="timeline">
        {entries.slice(0, shown).map((e) => (
          <li key={e.seq} data-seq={e.seq} data-event={e.event} data-unit={e.unit ?? ""} data-actor={e.actor}>
            <div className="when">
              #{e.seq} · <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
            </div>
            <div>
              <strong>{t.machine.events[e.event] ?? e.event}</strong>
              {e.task ? ` · ${names.task(e.task)}` : ""}
              {e.unit ? ` · ${names.unit(e.unit)}` : ""}
            </div>
            <div className="muted">
              {t.audit.actor}
              {t.colon}
              {e.actor}
              {t.open}
              {t.roles[e.role as keyof typeof t.roles] ?? e.role}
              {e.actorUnit ? ` · ${names.unit(e.actorUnit)}` : ""}
              {t.close} · {t.audit.cause}
              {t.colon}
              {e.cause}
            </div>
            {e.before || e.after ? (
              <div className="transition-text" data-testid="before-after">
                <span className="visually-hidden">
                  {t.audit.beforeAfter}
                  {t.colon}
                </span>
                {stateChanges(e.before, e.after).map((c) => {
                  const words = e.unit === null ? campaignWords : unitWords
                  const region = words.region(c.path)
                  return (
                    <div key={c.path.join(".")} data-path={c.path.join(".")}>
                      {region ? `${region}${t.colon}` : ""}
                      {words.state(c.path, c.from)} → <strong>{words.state(c.path, c.to)}</strong>
                    </div>
                  )
                })}
                <details>
                  <summary>{t.audit.fullState}</summary>
                  {e.before || "∅"} → {e.after || "∅"}
                </details>
              </div>
            ) : null}
            {e.detail ? (
              <div>
                {t.audit.detail}
                {t.colon}
                {e.detail}
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      {entries.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + step)}>
          {t.audit.showMore(shown, entries.length)}
        </button>
      ) : null}
    </>
  )
}
