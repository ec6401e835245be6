/**
 * Who is behind: for the chosen phase (the current one unless the address names
 * another), how many units and tasks are in each state — each count a button
 * that keeps only those units in the matrix — and the laggards-only toggle. The
 * filter lives in the address (`?phase=…&state=…&laggards=1`), so it survives a reload.
 */
import type { StatusMatrix } from "@liandong/api"
import { useId } from "react"
import { useI18n } from "../../i18n/I18n.tsx"

type Matrix = typeof StatusMatrix.Type
type Row = Matrix["rows"][number]

/** The states counted, in the order a coordinator chases them. */
export const countedStages = ["assigned", "acknowledged", "submitted", "returned", "overdue", "approved"] as const
export type CountedStage = (typeof countedStages)[number]

/** The matrix filter as the address holds it. */
export interface MatrixFilter {
  readonly phase: string | null
  readonly state: CountedStage | null
  readonly laggards: boolean
}

/** Reads the filter from the address's query. */
export const filterOf = (search: URLSearchParams): MatrixFilter => {
  const state = search.get("state")
  return {
    phase: search.get("phase"),
    state: countedStages.find((s) => s === state) ?? null,
    laggards: search.get("laggards") === "1",
  }
}

/** The filter as an address query ("" when nothing is filtered). */
export const queryOf = (filter: MatrixFilter): string => {
  const params = new URLSearchParams()
  if (filter.phase !== null) params.set("phase", filter.phase)
  if (filter.state !== null) params.set("state", filter.state)
  if (filter.laggards) params.set("laggards", "1")
  return params.size > 0 ? `?${params}` : ""
}

/** The phase counted: the filter's when the matrix has it, else the campaign's current one, else the first. */
export const phaseOf = (matrix: Matrix, filter: MatrixFilter): string | null =>
  (filter.phase !== null && matrix.phases.some((p) => p.key === filter.phase) ? filter.phase : null) ??
  matrix.phase ??
  matrix.phases[0]?.key ??
  null

/** The rows the filter keeps: a task in the chosen state, and/or lagging, in the chosen phase. */
export const filterRows = (matrix: Matrix, filter: MatrixFilter): ReadonlyArray<Row> => {
  const phase = phaseOf(matrix, filter)
  if (phase === null || (filter.state === null && !filter.laggards)) return matrix.rows
  return matrix.rows.filter((row) => {
    const cell = row.phases[phase]
    if (cell === null || cell === undefined) return false
    if (filter.state !== null && cell.counts[filter.state] === 0) return false
    return !filter.laggards || cell.laggard
  })
}

/** The counts of the chosen phase, the phase choice and the laggards toggle. */
export const Counts = ({
  matrix,
  filter,
  shown,
  onChange,
}: {
  readonly matrix: Matrix
  readonly filter: MatrixFilter
  readonly shown: number
  readonly onChange: (filter: MatrixFilter) => void
}) => {
  const { t, pick } = useI18n()
  const id = useId()
  const phase = phaseOf(matrix, filter)
  const tally = phase === null ? undefined : matrix.tallies[phase]
  if (phase === null || tally === undefined) return null
  const filtered = filter.state !== null || filter.laggards
  return (
    <div data-testid="counts">
      <div className="actions" style={{ alignItems: "end", marginTop: 0 }}>
        <div className="field" style={{ margin: 0 }}>
          <label htmlFor={`${id}-phase`}>{t.progress.phase}</label>
          <select
            id={`${id}-phase`}
            value={phase}
            onChange={(e) => onChange({ ...filter, phase: e.target.value === matrix.phase ? null : e.target.value })}
          >
            {matrix.phases.map((p) => (
              <option key={p.key} value={p.key}>
                {pick(p.name)}
              </option>
            ))}
          </select>
        </div>
        <label className="check" style={{ display: "flex", gap: "0.4rem", alignItems: "center" }}>
          <input
            type="checkbox"
            checked={filter.laggards}
            aria-describedby={`${id}-laggards`}
            onChange={(e) => onChange({ ...filter, laggards: e.target.checked })}
            data-testid="laggards"
          />
          {t.progress.laggards(tally.laggards)}
        </label>
      </div>
      <p id={`${id}-laggards`} className="hint muted" style={{ margin: "0.3rem 0" }}>
        {t.progress.laggardsHint}
      </p>
      <ul className="counts" aria-label={t.progress.heading}>
        {countedStages.map((stage) => {
          const pressed = filter.state === stage
          return (
            <li key={stage}>
              <button
                type="button"
                aria-pressed={pressed}
                data-stage={stage}
                data-units={tally[stage].units}
                data-tasks={tally[stage].tasks}
                onClick={() => onChange({ ...filter, state: pressed ? null : stage })}
              >
                <span>{t.progress.stages[stage]}</span>
                <span className="count-n">{tally[stage].units}</span>
                <span className="muted">{t.progress.count(tally[stage].units, tally[stage].tasks)}</span>
              </button>
            </li>
          )
        })}
      </ul>
      <p className="muted" style={{ margin: "0.3rem 0" }}>
        {t.progress.filterHint}
      </p>
      {filtered ? (
        <p role="status" data-testid="showing">
          {t.progress.showing(shown, matrix.rows.length)}{" "}
          <button
            type="button"
            className="link-like"
            onClick={() => onChange({ ...filter, state: null, laggards: false })}
          >
            {t.progress.clear}
          </button>
        </p>
      ) : null}
    </div>
  )
}
