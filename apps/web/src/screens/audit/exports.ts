/** Exports of the trail: the filtered timeline as CSV (opens in Excel/WPS), the whole journal as JSON Lines. */
import type { TrailEntry } from "@liandong/api"
import type { Connection } from "../../api/Client.ts"
import type { Messages } from "../../i18n/messages.ts"
import type { Names } from "./Timeline.tsx"

const save = (content: BlobPart, type: string, name: string) => {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const a = document.createElement("a")
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

const cell = (value: string | number | null) => {
  const text = value === null ? "" : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The entries as CSV text, with a BOM so spreadsheet programs read the Chinese correctly. */
export const trailCsv = (entries: ReadonlyArray<TrailEntry>, t: Messages, names: Names): string => {
  const header = [
    t.audit.seq,
    "time",
    t.audit.actor,
    "role",
    t.audit.unit,
    t.audit.task,
    t.audit.event,
    "before",
    "after",
    t.audit.cause,
    t.audit.detail,
  ]
  const rows = entries.map((e) => [
    e.seq,
    e.at,
    e.actor,
    e.role,
    e.unit ? names.unit(e.unit) : "",
    e.task ? names.task(e.task) : "",
    t.machine.events[e.event] ?? e.event,
    e.before,
    e.after,
    e.cause,
    e.detail,
  ])
  return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`
}

/** Downloads the filtered entries as CSV. */
export const exportCsv = (campaign: string, entries: ReadonlyArray<TrailEntry>, t: Messages, names: Names) =>
  save(trailCsv(entries, t, names), "text/csv;charset=utf-8", `${campaign}-trail.csv`)

/** Downloads the whole journal as JSON Lines (for offline verification with `liandong audit verify --from`). */
export const exportJsonLines = async (api: Connection, campaign: string) => {
  const text = await api.run((client) => client.audit.export({ params: { campaign } }))
  save(text, "application/jsonl", `${campaign}-journal.jsonl`)
}
