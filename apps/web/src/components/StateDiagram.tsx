/**
 * A state machine drawn as inline SVG: states as boxes, transitions as
 * labelled arrows, the current state(s) filled. A text list beside it says
 * the same for screen readers.
 */
import { useId, useMemo } from "react"
import { type DiagramGraph, layoutDiagram } from "./DiagramLayout.ts"

/** Props of the diagram. */
export interface StateDiagramProps {
  readonly graph: DiagramGraph
  /** ids of the states the machine is in now */
  readonly current: ReadonlyArray<string>
  /** an accessible name, e.g. "东区知识产权局 · 发放宣传资料" */
  readonly title: string
  /** the sentence read before the current state, e.g. "当前状态" */
  readonly currentLabel: string
}

/** Draws the graph with the current state highlighted. */
export const StateDiagram = ({ graph, current, title, currentLabel }: StateDiagramProps) => {
  const layout = useMemo(() => layoutDiagram(graph), [graph])
  const id = useId()
  const marker = `${id}-arrow`
  const now = new Set(current)
  const currentNames = layout.states.filter((s) => now.has(s.id)).map((s) => s.label)
  return (
    // A wide diagram scrolls sideways on a phone: focusable, so it scrolls by keyboard too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
    <figure className="diagram" tabIndex={0} aria-label={title}>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width="100%"
        style={{ maxWidth: layout.width * 1.25, minWidth: layout.width * 0.8 }}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>
          {currentLabel}: {currentNames.join("、") || "—"}
        </desc>
        <defs>
          <marker id={marker} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M 0 0 L 10 5 L 0 10 z" className="diagram-arrowhead" />
          </marker>
        </defs>
        {layout.transitions.map((t) => (
          <g key={`${t.from}-${t.to}-${t.label}`} className={t.back ? "diagram-edge back" : "diagram-edge"}>
            <path d={t.path} fill="none" markerEnd={`url(#${marker})`} />
            <text x={t.labelX} y={t.labelY} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        {layout.states.map((s) => {
          const active = now.has(s.id)
          return (
            <g
              key={s.id}
              className={`diagram-state${active ? " current" : ""}${s.final ? " final" : ""}`}
              data-state={s.id}
              data-current={active ? "true" : undefined}
            >
              <rect x={s.x} y={s.y} width={layout.nodeWidth} height={layout.nodeHeight} rx={8} />
              {s.final ? (
                <rect
                  x={s.x + 3}
                  y={s.y + 3}
                  width={layout.nodeWidth - 6}
                  height={layout.nodeHeight - 6}
                  rx={6}
                  className="diagram-final-ring"
                />
              ) : null}
              <text
                x={s.x + layout.nodeWidth / 2}
                y={s.y + layout.nodeHeight / 2}
                dominantBaseline="central"
                textAnchor="middle"
              >
                {s.label}
              </text>
            </g>
          )
        })}
        {/* The initial state's entry arrow. */}
        {layout.states
          .filter((s) => s.id === graph.initial)
          .map((s) => (
            <circle key="initial" cx={s.x - 8} cy={s.y + layout.nodeHeight / 2} r={5} className="diagram-initial" />
          ))}
      </svg>
      <figcaption className="visually-hidden">
        {title}. {currentLabel}: {currentNames.join("、") || "—"}.{" "}
        {graph.transitions.map((t) => `${label(graph, t.from)} → ${label(graph, t.to)} (${t.label})`).join("; ")}
      </figcaption>
    </figure>
  )
}

const label = (graph: DiagramGraph, id: string) => graph.states.find((s) => s.id === id)?.label ?? id
