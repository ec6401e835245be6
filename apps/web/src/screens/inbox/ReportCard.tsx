/** One submitted report: attempt, state, figures with their measure words, narrative, and the reason it came back. */
import type { FigureDefinition, NarrativeDefinition, ReportItem } from "@liandong/api"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { formatDateTime, formatNumber } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"

/** Shows a report; figure and narrative definitions, when known, give labels and measure words. */
export const ReportCard = ({
  report,
  figures = [],
  narrative = [],
  title,
}: {
  readonly report: ReportItem
  readonly figures?: ReadonlyArray<typeof FigureDefinition.Type>
  readonly narrative?: ReadonlyArray<typeof NarrativeDefinition.Type>
  readonly title?: string
}) => {
  const { t, lang, pick } = useI18n()
  const figureOf = (key: string) => figures.find((f) => f.key === key)
  const narrativeOf = (key: string) => narrative.find((n) => n.key === key)
  return (
    <article
      className="task"
      data-report={report.id}
      data-status={report.status}
      aria-label={title ?? t.history.attempt(report.attempt)}
    >
      <div className="task-head">
        <h3 style={{ margin: 0, fontSize: "1rem" }}>
          {title ? `${title} · ` : ""}
          {t.history.attempt(report.attempt)}
        </h3>
        <StatusBadge status={report.status} />
      </div>
      <dl className="facts">
        <dt>{t.history.submittedAt}</dt>
        <dd>{formatDateTime(report.submittedAt, lang)}</dd>
        {Object.entries(report.figures).map(([key, value]) => {
          const def = figureOf(key)
          return (
            <div key={key} style={{ display: "contents" }}>
              <dt>{def ? pick(def.label) : key}</dt>
              <dd data-figure={key}>
                {formatNumber(value, lang)}
                {def?.measure ?? ""}
              </dd>
            </div>
          )
        })}
        {Object.entries(report.narrative).map(([key, value]) => {
          const def = narrativeOf(key)
          return (
            <div key={key} style={{ display: "contents" }}>
              <dt>{def ? pick(def.label) : key}</dt>
              <dd style={{ whiteSpace: "pre-wrap" }}>{value}</dd>
            </div>
          )
        })}
      </dl>
      {report.status === "returned" && report.returnReason ? (
        <p className="return-reason">
          <strong>
            {t.history.reason}
            {t.colon}
          </strong>{" "}
          {report.returnReason}
        </p>
      ) : null}
    </article>
  )
}
