/**
 * A campaign as an Excel workbook, the way offices exchange 统计表: the progress matrix
 * (units × tasks in words), the figures by unit with the total a reader can check, the
 * totals by level, and one sheet per task with every report. Chinese headers, times in the
 * campaign's zone as Excel dates, figures as numbers.
 */
import { type Campaign, rollUp, unitRoleLabels, wallClockAt } from "@liandong/workflow"
import writeExcelFile, { type CellObject, type Sheet } from "write-excel-file/node"

/** A cell of ours: always an object (its type explicit), or empty. */
type Cell = CellObject | null

/** One unit's share of one task, as the matrix shows it. */
export interface WorkbookTask {
  readonly unit: string
  readonly task: string
  readonly status: "waiting" | "assigned" | "acknowledged" | "submitted" | "returned" | "approved" | "closed"
  readonly overdue: boolean
}

/** One attempt at a task's report. */
export interface WorkbookReport {
  readonly unit: string
  readonly task: string
  readonly attempt: number
  readonly status: "submitted" | "approved" | "returned"
  readonly figures: Readonly<Record<string, string>>
  readonly narrative: Readonly<Record<string, string>>
  /** who submitted and who reviewed, by name */
  readonly submittedBy: string
  readonly submittedAt: Date
  readonly reviewedBy: string | null
  readonly reviewedAt: Date | null
  readonly returnReason: string | null
}

/** What the workbook holds: only what the reader may read. */
export interface WorkbookData {
  readonly campaign: Campaign
  /** the units the reader may read, as keys */
  readonly units: ReadonlySet<string>
  readonly tasks: ReadonlyArray<WorkbookTask>
  readonly reports: ReadonlyArray<WorkbookReport>
}

/** What a matrix cell says, in the words a coordinator uses. */
export const taskStateWords: Record<WorkbookTask["status"], string> = {
  waiting: "待开始",
  assigned: "未确认",
  acknowledged: "已确认未报送",
  submitted: "待审核",
  returned: "已退回待重报",
  approved: "已通过",
  closed: "阶段已关闭",
}

const reportStateWords: Record<WorkbookReport["status"], string> = {
  submitted: "待审核",
  approved: "已通过",
  returned: "已退回",
}

const levelWords: Record<string, string> = {
  national: "国家级",
  province: "省级",
  city: "市级",
  county: "县级",
}

const bold = (value: string): Cell => ({ value, fontWeight: "bold", wrap: true })
const text = (value: string | null | undefined): Cell =>
  value === null || value === undefined || value === "" ? null : { value, type: String }

/** A figure as an Excel number when a double holds it exactly, else as text (nothing is rounded silently). */
export const figureCell = (value: string | undefined): Cell => {
  if (value === undefined) return null
  const n = Number(value)
  const exact = Number.isFinite(n) && String(n) === value
  return exact ? { value: n, type: Number } : { value, type: String }
}

// Excel has no time zones: a cell holds the wall-clock time the campaign's clocks showed (the header names the zone).
const timeCell = (date: Date | null, timeZone: string): Cell =>
  date === null ? null : { value: wallClockAt(date, timeZone), type: Date, format: "yyyy-mm-dd hh:mm" }

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ], unique in the book. */
const sheetNames = () => {
  const used = new Set<string>()
  return (wanted: string) => {
    const clean = wanted.replace(/[:\\/?*[\]]/g, "·").slice(0, 31)
    let name = clean
    for (let n = 2; used.has(name); n++) name = `${clean.slice(0, 28)}(${n})`
    used.add(name)
    return name
  }
}

/** Column widths from the longest text in each column (CJK characters count double), within bounds. */
const widthsOf = (rows: ReadonlyArray<ReadonlyArray<Cell>>) => {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => {
      if (cell === null) return
      const shown = cell.value instanceof Date ? "2026-04-20 10:00" : String(cell.value ?? "")
      let width = 0
      for (const ch of shown) width += /[\u2e80-\uffff]/u.test(ch) ? 2 : 1
      widths[i] = Math.max(widths[i] ?? 0, width)
    })
  return widths.map((w) => ({ width: Math.min(Math.max(w + 2, 8), 50) }))
}

/** Renders the workbook. */
export const renderWorkbook = async (book: WorkbookData): Promise<Uint8Array> => {
  const { campaign } = book
  const zone = campaign.timeZone
  const name = sheetNames()
  const unitsInOrder = campaign.units.filter((u) => book.units.has(u.key))
  const unitName = new Map(campaign.units.map((u) => [u.key, u.name]))
  const tasks = campaign.phases.flatMap((p) => p.tasks.map((t) => ({ phase: p, task: t })))
  const sheets: Array<{ sheet: string; data: Array<Array<Cell>> }> = []

  // 进度: units × tasks, with counts under each task.
  const cellOf = new Map(book.tasks.map((t) => [`${t.unit}\u0000${t.task}`, t]))
  const matrixUnits = unitsInOrder.filter((u) => tasks.some(({ task }) => cellOf.has(`${u.key}\u0000${task.key}`)))
  const matrix: Array<Array<Cell>> = [
    [
      bold("单位"),
      bold("类别"),
      bold("层级"),
      bold("上级单位"),
      ...tasks.map(({ phase, task }) => bold(`${phase.name.zh}·${task.title.zh}`)),
    ],
  ]
  for (const unit of matrixUnits)
    matrix.push([
      text(unit.name),
      text(unit.kind?.zh ?? unitRoleLabels[unit.role].zh),
      text(unit.level === null ? null : levelWords[unit.level]),
      text(unit.parent === null ? null : unitName.get(unit.parent)),
      ...tasks.map(({ task }) => {
        const cell = cellOf.get(`${unit.key}\u0000${task.key}`)
        return cell === undefined ? null : text(`${taskStateWords[cell.status]}${cell.overdue ? "（逾期）" : ""}`)
      }),
    ])
  const counted: Array<[string, (t: WorkbookTask) => boolean]> = [
    ["未确认", (t) => t.status === "assigned"],
    ["已确认未报送", (t) => t.status === "acknowledged"],
    ["待审核", (t) => t.status === "submitted"],
    ["已退回待重报", (t) => t.status === "returned"],
    ["已通过", (t) => t.status === "approved"],
    ["逾期", (t) => t.overdue],
  ]
  for (const [label, holds] of counted)
    matrix.push([
      bold(`${label}（家）`),
      null,
      null,
      null,
      ...tasks.map(({ task }) => ({
        value: book.tasks.filter((t) => t.task === task.key && book.units.has(t.unit) && holds(t)).length,
        type: Number,
      })),
    ])
  sheets.push({ sheet: name("进度"), data: matrix })

  // 分单位汇总: each unit's approved figures, and the total (or the maximum) a reader can check.
  const approved = book.reports.filter((r) => r.status === "approved" && book.units.has(r.unit))
  const latest = new Map<string, WorkbookReport>()
  for (const r of approved) {
    const key = `${r.unit}\u0000${r.task}`
    const seen = latest.get(key)
    if (seen === undefined || seen.attempt < r.attempt) latest.set(key, r)
  }
  const figureColumns = tasks.flatMap(({ task }) => task.figures.map((figure) => ({ task, figure })))
  const rolled = rollUp(
    campaign,
    [...latest.values()].map((r) => ({ unit: r.unit, task: r.task, figures: r.figures })),
  )
  const totalOf = (task: string, figure: string, totals = rolled.totals) =>
    totals.find((t) => t.task === task && t.figure === figure)?.total
  const aggregateWords = { sum: "合计", max: "最大值", min: "最小值" } as const
  const byUnit: Array<Array<Cell>> = [
    [
      bold("单位"),
      bold("层级"),
      ...figureColumns.map(({ task, figure }) => bold(`${task.title.zh}·${figure.label.zh}（${figure.measure}）`)),
    ],
  ]
  for (const unit of unitsInOrder) {
    const values = figureColumns.map(
      ({ task, figure }) => latest.get(`${unit.key}\u0000${task.key}`)?.figures[figure.key],
    )
    if (values.every((v) => v === undefined)) continue
    byUnit.push([text(unit.name), text(unit.level === null ? null : levelWords[unit.level]), ...values.map(figureCell)])
  }
  byUnit.push([
    bold("全部单位"),
    null,
    ...figureColumns.map(({ task, figure }) => figureCell(totalOf(task.key, figure.key))),
  ])
  byUnit.push([bold("汇总方式"), null, ...figureColumns.map(({ figure }) => text(aggregateWords[figure.aggregate]))])
  sheets.push({ sheet: name("分单位汇总"), data: byUnit })

  // 分级汇总: each unit with subordinates, its whole subtree.
  const byLevel: Array<Array<Cell>> = [
    [
      bold("单位（含下级）"),
      bold("层级"),
      ...figureColumns.map(({ task, figure }) => bold(`${task.title.zh}·${figure.label.zh}（${figure.measure}）`)),
    ],
  ]
  for (const level of rolled.levels) {
    if (!book.units.has(level.unit)) continue
    const unit = campaign.units.find((u) => u.key === level.unit)
    byLevel.push([
      text(unit?.name ?? level.unit),
      text(unit?.level == null ? null : levelWords[unit.level]),
      ...figureColumns.map(({ task, figure }) => figureCell(totalOf(task.key, figure.key, level.totals))),
    ])
  }
  sheets.push({ sheet: name("分级汇总"), data: byLevel })

  // One sheet per task: every attempt, in definition order of the units, then by attempt.
  const unitOrder = new Map(campaign.units.map((u, i) => [u.key, i]))
  for (const { task } of tasks) {
    const reports = book.reports
      .filter((r) => r.task === task.key && book.units.has(r.unit))
      .sort((a, b) => (unitOrder.get(a.unit) ?? 0) - (unitOrder.get(b.unit) ?? 0) || a.attempt - b.attempt)
    const data: Array<Array<Cell>> = [
      [
        bold("单位"),
        bold("报送次数"),
        bold("状态"),
        bold("报送人"),
        bold(`报送时间（${zone}）`),
        bold("审核人"),
        bold(`审核时间（${zone}）`),
        bold("退回理由"),
        ...task.figures.map((f) => bold(`${f.label.zh}（${f.measure}）`)),
        ...task.narrative.map((n) => bold(n.label.zh)),
      ],
    ]
    for (const r of reports)
      data.push([
        text(unitName.get(r.unit) ?? r.unit),
        { value: r.attempt, type: Number },
        text(reportStateWords[r.status]),
        text(r.submittedBy),
        timeCell(r.submittedAt, zone),
        text(r.reviewedBy),
        timeCell(r.reviewedAt, zone),
        text(r.returnReason),
        ...task.figures.map((f) => figureCell(r.figures[f.key])),
        ...task.narrative.map((n) => text(r.narrative[n.key])),
      ])
    sheets.push({ sheet: name(task.title.zh), data })
  }

  const written = await writeExcelFile(
    sheets.map((s): Sheet<Buffer> => ({ data: s.data, sheet: s.sheet, columns: widthsOf(s.data), stickyRowsCount: 1 })),
    { fontFamily: "宋体", fontSize: 11 },
  ).toBuffer()
  return new Uint8Array(written)
}
