/**
 * Totals so far per figure (approved reports only): a table of every figure
 * and a chart of one figure's contributions by unit.
 */
import type { Totals as TotalsSchema } from "@liandong/api"
import { useId, useState } from "react"
import { BarChart } from "../../components/BarChart.tsx"
import { TableFrame } from "../../components/TableFrame.tsx"
import { formatNumber } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"

type Totals = typeof TotalsSchema.Type

/** The totals panel; `unitName` names a unit key. */
export const TotalsPanel = ({
  totals,
  unitName,
}: {
  readonly totals: Totals
  readonly unitName: (key: string) => string
}) => {
  const { t, lang, pick } = useI18n()
  const id = useId()
  const [chosen, setChosen] = useState<string | null>(null)
  if (totals.figures.length === 0) return <p className="muted">{t.dashboard.noTotals}</p>
  const keyOf = (f: Totals["figures"][number]) => `${f.task}/${f.figure}`
  const figure = totals.figures.find((f) => keyOf(f) === chosen) ?? totals.figures[0]
  return (
    <>
      <TableFrame label={t.dashboard.totals}>
        <table className="plain" data-testid="totals">
          <thead>
            <tr>
              <th scope="col">{t.dashboard.figure}</th>
              <th scope="col">{t.dashboard.total}</th>
              <th scope="col">{t.dashboard.reportsHeader}</th>
            </tr>
          </thead>
          <tbody>
            {totals.figures.map((f) => (
              <tr key={keyOf(f)} data-figure={f.figure}>
                <th scope="row">{pick(f.label)}</th>
                <td data-total={f.total}>
                  {formatNumber(f.total, lang)}
                  {f.measure}
                </td>
                <td>{t.dashboard.reports(f.contributions.length)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {figure ? (
        <>
          {totals.figures.length > 1 ? (
            <div className="field" style={{ marginTop: "1rem", maxWidth: "24rem" }}>
              <label htmlFor={`${id}-figure`}>{t.dashboard.chartOf}</label>
              <select id={`${id}-figure`} value={keyOf(figure)} onChange={(e) => setChosen(e.target.value)}>
                {totals.figures.map((f) => (
                  <option key={keyOf(f)} value={keyOf(f)}>
                    {pick(f.label)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <BarChart
            title={`${pick(figure.label)}${t.open}${t.dashboard.total} ${formatNumber(figure.total, lang)}${figure.measure}${t.close}`}
            labelHeader={t.dashboard.unit}
            valueHeader={pick(figure.label)}
            bars={figure.contributions.map((c) => ({
              key: `${c.unit}-${c.report}`,
              label: unitName(c.unit),
              value: Number(c.value),
              display: `${formatNumber(c.value, lang)}${figure.measure}`,
            }))}
          />
        </>
      ) : null}
    </>
  )
}
