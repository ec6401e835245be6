/**
 * One submitted report: attempt, state, figures with their measure words, narrative, its
 * files (佐证材料) — images as thumbnails — and the reason it came back.
 */
import type { AttachmentItem, FigureDefinition, NarrativeDefinition, ReportItem } from "@liandong/api"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { formatDateTime, formatNumber } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"

/** Where a report's file is served (to whoever may read the report). */
const fileUrl = (report: string, file: AttachmentItem) =>
  `/api/v1/reports/${encodeURIComponent(report)}/attachments/${encodeURIComponent(file.id)}`

/**
 * Files with their name, type and size: linked to the file when `report` is given (a submitted
 * report; an image then shows as a thumbnail — the image itself, scaled by the browser), with a
 * remove button when `onRemove` is (the report form, before submitting).
 */
export const FileList = ({
  files,
  report,
  onRemove,
}: {
  readonly files: ReadonlyArray<AttachmentItem>
  readonly report?: string
  readonly onRemove?: (file: AttachmentItem) => void
}) => {
  const { t } = useI18n()
  if (files.length === 0) return onRemove ? null : <p className="muted">{t.files.none}</p>
  return (
    <ul className="files" aria-label={t.files.list} data-testid="files">
      {files.map((file) => (
        <li key={file.id} data-file={file.name}>
          {report !== undefined && file.type.startsWith("image/") ? (
            <a href={fileUrl(report, file)} target="_blank" rel="noopener" aria-label={t.files.open(file.name)}>
              <img src={fileUrl(report, file)} alt={file.name} width={96} height={72} loading="lazy" />
            </a>
          ) : null}
          <span className="file-name">
            {report !== undefined ? (
              <a href={fileUrl(report, file)} download={file.name}>
                {file.name}
              </a>
            ) : (
              file.name
            )}
          </span>
          <span className="muted">
            {file.name.split(".").pop()?.toUpperCase()} · {t.files.size(file.size)}
          </span>
          {onRemove ? (
            <button
              type="button"
              className="danger"
              onClick={() => onRemove(file)}
              aria-label={t.files.remove(file.name)}
            >
              {t.files.remove(file.name)}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

/**
 * A report's figures and narrative as `<dt>`/`<dd>` pairs for a `<dl className="facts">`;
 * the task's definitions, when known, give labels and measure words.
 */
export const ReportFacts = ({
  report,
  figures = [],
  narrative = [],
}: {
  readonly report: Pick<ReportItem, "figures" | "narrative">
  readonly figures?: ReadonlyArray<typeof FigureDefinition.Type> | undefined
  readonly narrative?: ReadonlyArray<typeof NarrativeDefinition.Type> | undefined
}) => {
  const { lang, pick } = useI18n()
  return (
    <>
      {Object.entries(report.figures).map(([key, value]) => {
        const def = figures.find((f) => f.key === key)
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
        const def = narrative.find((n) => n.key === key)
        return (
          <div key={key} style={{ display: "contents" }}>
            <dt>{def ? pick(def.label) : key}</dt>
            <dd style={{ whiteSpace: "pre-wrap" }}>{value}</dd>
          </div>
        )
      })}
    </>
  )
}

/** Shows a report; figure and narrative definitions, when known, give labels and measure words. */
export const ReportCard = ({
  report,
  figures = [],
  narrative = [],
  title,
  heading: Heading = "h3",
}: {
  readonly report: ReportItem
  readonly figures?: ReadonlyArray<typeof FigureDefinition.Type>
  readonly narrative?: ReadonlyArray<typeof NarrativeDefinition.Type>
  readonly title?: string
  /** the card's heading level, one below the list's own heading */
  readonly heading?: "h2" | "h3"
}) => {
  const { t, lang } = useI18n()
  return (
    <article
      className="task"
      data-report={report.id}
      data-status={report.status}
      aria-label={title ?? t.history.attempt(report.attempt)}
    >
      <div className="task-head">
        <Heading style={{ margin: 0, fontSize: "1rem" }}>
          {title ? `${title} · ` : ""}
          {t.history.attempt(report.attempt)}
        </Heading>
        <StatusBadge status={report.status} />
      </div>
      <dl className="facts">
        <dt>{t.history.submittedAt}</dt>
        <dd>{formatDateTime(report.submittedAt, lang)}</dd>
        <ReportFacts report={report} figures={figures} narrative={narrative} />
      </dl>
      {report.attachments.length > 0 ? (
        <section aria-label={t.files.legend} className="evidence">
          <h4 style={{ margin: "0.5rem 0 0.25rem", fontSize: "0.95rem" }}>{t.files.legend}</h4>
          <FileList files={report.attachments} report={report.id} />
        </section>
      ) : null}
      {report.status === "approved" && report.reviewComment ? (
        <p className="review-comment" data-testid="review-comment">
          <strong>
            {t.review.comment}
            {t.colon}
          </strong>{" "}
          {report.reviewComment}
        </p>
      ) : null}
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
