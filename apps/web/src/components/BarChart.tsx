/**
 * A horizontal bar chart as inline SVG: one labelled bar per item, the value
 * written at its end. A visually hidden table says the same for screen readers.
 */
import { useId } from "react"

/** One bar. */
export interface Bar {
  readonly key: string
  readonly label: string
  readonly value: number
  /** the value as shown, e.g. "10,350份" */
  readonly display: string
}

/** Props of the chart. */
export interface BarChartProps {
  readonly title: string
  readonly bars: ReadonlyArray<Bar>
  readonly labelHeader: string
  readonly valueHeader: string
}

const width = 480
const rowHeight = 46
const barHeight = 16

/** Draws the bars; an empty list draws nothing. */
export const BarChart = ({ title, bars, labelHeader, valueHeader }: BarChartProps) => {
  const id = useId()
  if (bars.length === 0) return null
  const max = Math.max(...bars.map((b) => b.value), 1)
  const height = bars.length * rowHeight + 4
  return (
    <figure className="chart" data-testid="chart">
      <figcaption id={`${id}-t`} className="chart-title">
        {title}
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width * 1.4 }}
        role="img"
        aria-labelledby={`${id}-t`}
      >
        <title>{title}</title>
        {bars.map((bar, i) => {
          const y = i * rowHeight
          const w = Math.max(2, (bar.value / max) * (width - 130))
          return (
            <g key={bar.key} className="chart-row" data-bar={bar.key}>
              <text x={0} y={y + 14} className="chart-label">
                {bar.label}
              </text>
              <rect x={0} y={y + 22} width={w} height={barHeight} rx={3} className="chart-bar" />
              <text x={w + 8} y={y + 22 + barHeight / 2} dominantBaseline="central" className="chart-value">
                {bar.display}
              </text>
            </g>
          )
        })}
      </svg>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <th scope="col">{valueHeader}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.key}>
              <td>{bar.label}</td>
              <td>{bar.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
