/**
 * 下载 Excel 统计表: the campaign's workbook (.xlsx — progress, totals by unit and level,
 * every report) as the signed-in person may read it, fetched when asked so it is current.
 */
import { useState } from "react"
import type { ApiFailure } from "../api/Failure.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { useSession } from "../session/Session.tsx"
import { ProblemNotice } from "./Problem.tsx"

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/** The download button, and what went wrong if it did. */
export const WorkbookButton = ({ campaign }: { readonly campaign: string }) => {
  const { t } = useI18n()
  const { api } = useSession()
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const get = async () => {
    setBusy(true)
    setFailure(null)
    try {
      const bytes = await api.run((client) => client.campaigns.workbook({ params: { campaign } }))
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: xlsx }))
      const a = document.createElement("a")
      a.href = url
      a.download = `${campaign}.xlsx`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" onClick={() => void get()} disabled={busy} aria-busy={busy} data-testid="workbook">
        {t.dashboard.downloadExcel}
      </button>
      {failure ? <ProblemNotice failure={failure} /> : null}
    </>
  )
}
