/** Exports of the trail: the filtered timeline as CSV (opens in Excel/WPS), the whole journal as JSON Lines. */
import type { TrailEntry } from "@liandong/api"
import { wallClockAt } from "@liandong/workflow/time"
import type { Connection } from "../../api/Client.ts"
import type { Messages } from "../../i18n/Messages.ts"
import { entryWords, type Names } from "./EntryWords.ts"

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

/**
 * "2026-04-20 09:00:00" as the campaign's clocks showed the instant: the form spreadsheet
 * programs read as a date, in the zone the screens show (the header names it).
 */
export const localStamp = (iso: string, timeZone: string): string =>
  wallClockAt(new Date(iso), timeZone).toISOString().slice(0, 19).replace("T", " ")

/** The entries as CSV text in the reader's language, with a BOM so spreadsheet programs read the Chinese correctly. */
export const trailCsv = (entries: ReadonlyArray<TrailEntry>, t: Messages, names: Names, timeZone: string): string => {
  const header = [
    t.audit.seq,
    `${t.audit.time}（${timeZone}）`,
    t.audit.actor,
    t.audit.role,
    t.audit.unit,
    t.audit.task,
    t.audit.event,
    t.audit.stateChange,
    t.audit.cause,
    t.audit.detail,
    t.audit.before,
    t.audit.after,
  ]
  const rows = entries.map((e) => {
    const w = entryWords(e, t, names)
    return [
      e.seq,
      localStamp(e.at, timeZone),
      w.actor,
      w.role,
      e.unit ? names.unit(e.unit) : "",
      e.task ? names.task(e.task) : "",
      w.event,
      w.changes.map((c) => `${c.region ? `${c.region}${t.colon}` : ""}${c.from} → ${c.to}`).join("\n"),
      w.cause,
      w.notes.join(t.listSeparator),
      e.before,
      e.after,
    ]
  })
  return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`
}

/** Downloads the filtered entries as CSV. */
export const exportCsv = (
  campaign: string,
  entries: ReadonlyArray<TrailEntry>,
  t: Messages,
  names: Names,
  timeZone: string,
) => save(trailCsv(entries, t, names, timeZone), "text/csv;charset=utf-8", `${campaign}-trail.csv`)

/** Downloads the whole journal as JSON Lines (for offline verification with `liandong audit verify --from`). */
export const exportJsonLines = async (api: Connection, campaign: string) => {
  const text = await api.run((client) => client.audit.export({ params: { campaign } }))
  save(text, "application/jsonl", `${campaign}-journal.jsonl`)
}
