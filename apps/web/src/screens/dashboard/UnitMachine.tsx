/**
 * A unit's state machine as the engine compiled it: one diagram per phase
 * (waiting → open → done | closed) and, for the phase that is open, one per
 * task (assigned → acknowledged → submitted → approved, or returned and
 * submitted again), the current state filled.
 */
import { useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { StateDiagram } from "../../components/StateDiagram.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { region, taskRegions, topRegions } from "../../machine/Regions.ts"

/** The diagrams of one unit's machine; `round` reloads it when the journal grows. */
export const UnitMachine = ({
  campaign,
  unit,
  unitName,
  phaseName,
  taskName,
  round,
}: {
  readonly campaign: string
  readonly unit: string
  readonly unitName: string
  readonly phaseName: (key: string) => string
  readonly taskName: (key: string) => string
  readonly round: number
}) => {
  const { t } = useI18n()
  const graph = useResource(
    (api) => api.run((client) => client.campaigns.unitMachine({ params: { campaign, unit } })),
    [campaign, unit, round],
  )
  if (graph.failure) return <ProblemNotice failure={graph.failure} onRetry={graph.reload} />
  if (graph.data === undefined) return <Loading />
  const data = graph.data
  const stateLabel = (key: string) => t.machine.states[key] ?? key
  const eventLabel = (event: string) =>
    t.machine.events[event] ?? (event.startsWith("xstate.done") ? t.machine.events.done : event) ?? event
  return (
    <div data-testid="machine" data-unit={unit}>
      <h3>{t.dashboard.machineOf(unitName)}</h3>
      {topRegions(data).map((phase) => {
        const r = region(data, phase, stateLabel, eventLabel)
        if (r === null) return null
        const open = data.active.includes(`${phase}.open`)
        return (
          <section key={phase} aria-label={`${t.dashboard.phaseMachine}${t.colon}${phaseName(r.key)}`}>
            <h4>
              {t.dashboard.phaseMachine}
              {t.colon}
              {phaseName(r.key)}
            </h4>
            <StateDiagram
              graph={r.graph}
              current={r.current}
              title={`${unitName} · ${phaseName(r.key)}`}
              currentLabel={t.dashboard.currentState}
            />
            {open
              ? taskRegions(data, phase).map((task) => {
                  const tr = region(data, task, stateLabel, eventLabel)
                  if (tr === null) return null
                  return (
                    <div key={task} style={{ marginLeft: "1rem" }}>
                      <h5 style={{ margin: "0.5rem 0 0.2rem" }}>
                        {t.dashboard.taskMachine}
                        {t.colon}
                        {taskName(tr.key)}
                      </h5>
                      <StateDiagram
                        graph={tr.graph}
                        current={tr.current}
                        title={`${unitName} · ${taskName(tr.key)}`}
                        currentLabel={t.dashboard.currentState}
                      />
                    </div>
                  )
                })
              : null}
          </section>
        )
      })}
    </div>
  )
}
