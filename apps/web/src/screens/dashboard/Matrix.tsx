/**
 * The units × phases matrix: one row per unit, indented by the hierarchy and
 * collapsible, one cell per phase coloured and worded by state (done, in
 * progress, overdue, returned, waiting, closed).
 */
import type { StatusMatrix } from "@liandong/api"
import { useState } from "react"
import { useI18n } from "../../i18n/I18n.tsx"

type Matrix = typeof StatusMatrix.Type
type Row = Matrix["rows"][number]
type Cell = NonNullable<Row["phases"][string]>

/** The state a cell shows, most urgent first. */
export const cellState = (cell: Cell): "overdue" | "returned" | "done" | "active" | "waiting" | "closed" =>
  cell.overdue ? "overdue" : cell.returned ? "returned" : cell.state

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

/** The matrix; `onSelectUnit` picks a unit for the state-machine diagram. */
export const Matrix = ({
  matrix,
  selected,
  onSelectUnit,
}: {
  readonly matrix: Matrix
  readonly selected: string | null
  readonly onSelectUnit: (unit: string) => void
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
  const words = {
    overdue: t.status.overdue,
    returned: t.status.returned,
    done: t.status.done,
    active: t.status.active,
    waiting: t.status.waiting,
    closed: t.status.closed,
  }
  const visible = treeOrder(matrix.rows).filter((r) => !r.ancestors.some((a) => collapsed.has(a)))
  return (
    <>
      <div className="table-wrap">
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
              <tr key={row.unit} data-unit={row.unit} data-selected={selected === row.unit ? "true" : undefined}>
                <th scope="row" style={{ paddingLeft: `${0.5 + depth * 1.2}rem` }}>
                  {hasChildren ? (
                    <button
                      type="button"
                      className="tree-toggle"
                      aria-expanded={!collapsed.has(row.unit)}
                      aria-label={`${collapsed.has(row.unit) ? t.dashboard.expand : t.dashboard.collapse}${t.colon}${row.name}`}
                      onClick={() => toggle(row.unit)}
                    >
                      {collapsed.has(row.unit) ? "▸" : "▾"}
                    </button>
                  ) : (
                    <span className="tree-spacer" />
                  )}
                  <button
                    type="button"
                    className="link-like"
                    aria-pressed={selected === row.unit}
                    onClick={() => onSelectUnit(row.unit)}
                  >
                    {row.name}
                  </button>
                </th>
                {matrix.phases.map((phase) => {
                  const cell = row.phases[phase.key]
                  if (cell === null || cell === undefined)
                    return (
                      <td key={phase.key} className="muted">
                        {t.dashboard.notParticipating}
                      </td>
                    )
                  const state = cellState(cell)
                  return (
                    <td key={phase.key} data-phase={phase.key} data-state={state}>
                      <span className={`cell cell-${state}`}>
                        <strong>{words[state]}</strong>
                        <span>{t.dashboard.cell(cell.approved, cell.total)}</span>
                      </span>
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="legend" aria-label={t.dashboard.legend}>
        {(["done", "active", "overdue", "returned", "waiting", "closed"] as const).map((state) => (
          <li key={state} className={`cell cell-${state}`} style={{ minWidth: 0 }}>
            {words[state]}
          </li>
        ))}
      </ul>
    </>
  )
}
