/**
 * The consolidated summary: an HTML preview in a sandboxed frame (no scripts)
 * and downloads as Word and HTML. A draft until the campaign closes.
 */
import { useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { WorkbookButton } from "../../components/WorkbookButton.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"

const download = (content: BlobPart, type: string, name: string) => {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const a = document.createElement("a")
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** The summary preview and downloads; `round` refreshes the preview when the journal grows. */
export const SummaryPanel = ({
  campaign,
  closed,
  round,
}: {
  readonly campaign: string
  readonly closed: boolean
  readonly round: number
}) => {
  const { t, lang } = useI18n()
  const { api } = useSession()
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const html = useResource(
    (connection) =>
      connection.run((client) => client.summary.summary({ params: { campaign }, query: { format: "html", lang } })),
    [campaign, lang, round],
  )
  const get = async (format: "docx" | "html") => {
    setFailure(null)
    try {
      const content = await api.run((client) =>
        client.summary.summary({ params: { campaign }, query: { format, lang } }),
      )
      if (format === "docx")
        download(
          content as Uint8Array<ArrayBuffer>,
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          `${campaign}-summary.docx`,
        )
      else download(String(content), "text/html;charset=utf-8", `${campaign}-summary.html`)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    }
  }
  return (
    <>
      <p className={`notice ${closed ? "ok" : "warn"}`}>
        {closed ? t.dashboard.summaryFinal : t.dashboard.summaryDraft}
      </p>
      <div className="actions" style={{ marginBottom: "0.75rem" }}>
        <button type="button" onClick={() => void get("docx")}>
          {t.dashboard.downloadWord}
        </button>
        <button type="button" onClick={() => void get("html")}>
          {t.dashboard.downloadHtml}
        </button>
        <WorkbookButton campaign={campaign} />
      </div>
      {failure ? <ProblemNotice failure={failure} /> : null}
      {html.failure ? <ProblemNotice failure={html.failure} onRetry={html.reload} /> : null}
      {html.data === undefined && html.loading ? <Loading /> : null}
      {typeof html.data === "string" ? (
        <iframe
          className="summary-frame"
          title={t.dashboard.summary}
          sandbox=""
          srcDoc={html.data}
          data-testid="summary"
        />
      ) : null}
    </>
  )
}
