/**
 * The units × phases matrix: one row per unit, indented by the hierarchy and
 * collapsible, its name a link to the unit's page; one cell per phase coloured
 * and worded by the most urgent state of its tasks (overdue N days, returned,
 * not acknowledged, acknowledged but not reported, awaiting review, approved,
 * not started, closed).
 */
import type { StatusMatrix } from "@liandong/api"
import { useState } from "react"
import { TableFrame } from "../../components/TableFrame.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"

type Matrix = typeof StatusMatrix.Type
type Row = Matrix["rows"][number]
type Cell = NonNullable<Row["phases"][string]>

/** The states a cell is worded by, in the legend's order. */
export const cellStages = [
  "overdue",
  "returned",
  "assigned",
  "acknowledged",
  "submitted",
  "done",
  "waiting",
  "closed",
] as const satisfies ReadonlyArray<Cell["stage"]>

/** The address of a unit's page. */
export const unitPath = (campaign: string, unit: string) =>
  `/campaigns/${encodeURIComponent(campaign)}/units/${encodeURIComponent(unit)}`

/** Rows in tree order with their depth and whether they have children. */
const treeOrder = (rows: ReadonlyArray<Row>) => {
  const keys = new Set(rows.map((r) => r.unit))
  const children = new Map<string | null, Row[]>()
  for (const row of rows) {
    const parent = row.parent !== null && keys.has(row.parent) ? row.parent : null
    children.set(parent, [...(children.get(parent) ?? []), row])
  }
  const out: Array<{ row: Row; depth: number; hasChildren: boolean; ancestors: string[] }> = []
  const walk = (parent: string | null, depth: number, ancestors: string[]) => {
    for (const row of children.get(parent) ?? []) {
      out.push({ row, depth, hasChildren: (children.get(row.unit) ?? []).length > 0, ancestors })
      walk(row.unit, depth + 1, [...ancestors, row.unit])
    }
  }
  walk(null, 0, [])
  return out
}

/** The matrix of `rows` (all of the answer's, or those a filter kept); unit names link to their pages. */
export const Matrix = ({
  matrix,
  rows,
  unitName,
  phase,
}: {
  readonly matrix: Matrix
  readonly rows: ReadonlyArray<Row>
  readonly unitName: (key: string) => string
  /** the phase counted: a unit lagging in it is marked in words beside its name */
  readonly phase: string | null
}) => {
  const { t, pick } = useI18n()
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const toggle = (unit: string) =>
    setCollapsed((old) => {
      const next = new Set(old)
      if (next.has(unit)) next.delete(unit)
      else next.add(unit)
      return next
    })
  const visible = treeOrder(rows).filter((r) => !r.ancestors.some((a) => collapsed.has(a)))
  return (
    <>
      <TableFrame label={t.dashboard.matrixCaption}>
        <table className="matrix" data-testid="matrix">
          <caption className="visually-hidden">{t.dashboard.matrixCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.dashboard.unit}</th>
              {matrix.phases.map((phase) => (
                <th scope="col" key={phase.key} aria-current={matrix.phase === phase.key ? "step" : undefined}>
                  {pick(phase.name)}
                  {matrix.phase === phase.key ? " ●" : ""}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.map(({ row, depth, hasChildren }) => (
              <tr key={row.unit} data-unit={row.unit} data-laggard={row.laggard ? "true" : undefined}>
                <th scope="row" style={{ paddingLeft: `${0.5 + depth * 1.2}rem` }}>
                  {hasChildren ? (
                    <button
                      type="button"
                      className="tree-toggle"
                      aria-expanded={!collapsed.has(row.unit)}
                      aria-label={`${collapsed.has(row.unit) ? t.dashboard.expand : t.dashboard.collapse}${t.colon}${unitName(row.unit)}`}
                      onClick={() => toggle(row.unit)}
                    >
                      {collapsed.has(row.unit) ? "▸" : "▾"}
                    </button>
                  ) : (
                    <span className="tree-spacer" />
                  )}
                  <Link to={unitPath(matrix.campaign, row.unit)} data-testid="unit-link">
                    {unitName(row.unit)}
                  </Link>
                  {phase !== null && row.phases[phase]?.laggard ? (
                    <span className="badge badge-overdue" data-testid="laggard-mark" style={{ marginLeft: "0.4rem" }}>
                      {t.progress.laggardMark}
                    </span>
                  ) : null}
                </th>
                {matrix.phases.map((phase) => {
                  const cell = row.phases[phase.key]
                  if (cell === null || cell === undefined)
                    return (
                      <td key={phase.key} className="muted">
                        {t.dashboard.notParticipating}
                      </td>
                    )
                  const state = cell.stage
                  return (
                    <td key={phase.key} data-phase={phase.key} data-state={state}>
                      <span className={`cell cell-${state}`}>
                        <strong>
                          {state === "overdue" && cell.overdueDays !== null
                            ? t.cells.overdueDays(cell.overdueDays)
                            : t.cells[state]}
                        </strong>
                        <span>{t.dashboard.cell(cell.approved, cell.total)}</span>
                      </span>
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      <ul className="legend" aria-label={t.dashboard.legend}>
        {cellStages.map((state) => (
          <li key={state} className={`cell cell-${state}`} style={{ minWidth: 0 }}>
            {state === "overdue" ? t.cells.overdueLegend : t.cells[state]}
          </li>
        ))}
      </ul>
    </>
  )
}
