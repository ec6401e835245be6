/**
 * The coordinator's dashboard for one campaign: progress matrix, 催办 (nudging
 * units) and who the notices reached, totals with a chart, reports to review, a
 * unit's state machine and the summary — all refreshed live as the journal grows.
 */
import { useMemo, useState } from "react"
import { useLive } from "../../api/Live.ts"
import { useLiveRound } from "../../api/LiveRound.ts"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link, useRouter } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { ChangePanel } from "./ChangePanel.tsx"
import { Counts, filterOf, filterRows, type MatrixFilter, phaseOf, queryOf } from "./Counts.tsx"
import { DeliveriesPanel } from "./Deliveries.tsx"
import { LiveBadge } from "./LiveBadge.tsx"
import { Matrix } from "./Matrix.tsx"
import { NudgePanel } from "./Nudge.tsx"
import { Review } from "./Review.tsx"
import { SummaryPanel } from "./SummaryPanel.tsx"
import { TotalsPanel } from "./Totals.tsx"
import { UnitMachine } from "./UnitMachine.tsx"

/** The dashboard screen for `/campaigns/:campaign`. */
export const Dashboard = ({ campaign }: { readonly campaign: string }) => {
  const { t, pick } = useI18n()
  const { principal } = useSession()
  const { search, path, navigate } = useRouter()
  const filter = filterOf(search)
  const setFilter = (next: MatrixFilter) => navigate(`${path}${queryOf(next)}`, { replace: true, keepScroll: true })
  const live = useLive(campaign)
  const round = useLiveRound(live)
  const [selected, setSelected] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [nudges, setNudges] = useState(0)
  // The campaign's status and units change too (started, closed, a unit added): follow the journal.
  const detail = useResource(
    (api) => api.run((client) => client.campaigns.get({ params: { campaign } })),
    [campaign, round],
    earlyValue(reads.campaign(campaign)),
  )
  const matrix = useResource(
    (api) => api.run((client) => client.campaigns.status({ params: { campaign } })),
    [campaign, round],
    earlyValue(reads.status(campaign)),
  )
  const totals = useResource(
    (api) => api.run((client) => client.campaigns.totals({ params: { campaign } })),
    [campaign, round],
    earlyValue(reads.totals(campaign)),
  )
  const pending = useResource(
    (api) =>
      allPages((cursor) =>
        api.run((client) => client.reports.list({ query: { ...pageQuery(cursor), campaign, status: "submitted" } })),
      ),
    [campaign, round],
    earlyList(reads.reports({ campaign, status: "submitted" })),
  )
  const tasks = useResource(
    (api) =>
      allPages((cursor) => api.run((client) => client.tasks.list({ query: { ...pageQuery(cursor), campaign } }))),
    [campaign, round],
    earlyList(reads.tasks({ campaign })),
  )
  const taskMap = useMemo(() => new Map((tasks.data ?? []).map((task) => [task.ref, task])), [tasks.data])
  const units = useMemo(() => new Map((detail.data?.units ?? []).map((u) => [u.key, u])), [detail.data])
  const unitName = (key: string) => {
    const unit = units.get(key)
    return unit ? (pick({ zh: unit.name, en: unit.nameEn }) ?? key) : key
  }
  const phaseName = (key: string) => {
    const phase = detail.data?.phases.find((p) => p.key === key)
    return phase ? pick(phase.name) : key
  }
  const taskName = (key: string) => {
    const task = detail.data?.phases.flatMap((p) => p.tasks).find((x) => x.key === key)
    return task ? pick(task.title) : key
  }
  const reloadAll = () => {
    matrix.reload()
    totals.reload()
    pending.reload()
  }
  if (detail.failure) return <ProblemNotice failure={detail.failure} onRetry={detail.reload} />
  if (detail.data === undefined) return <Loading />
  const info = detail.data
  const unit = selected ?? matrix.data?.rows.find((r) => r.unit !== info.coordinator)?.unit ?? null
  // Between phases the campaign points at the next one, which nothing has opened yet.
  const phaseHeading = (data: NonNullable<typeof matrix.data>) =>
    data.phase !== null && data.rows.some((row) => (row.phases[data.phase ?? ""]?.state ?? "waiting") !== "waiting")
      ? t.dashboard.currentPhase
      : t.dashboard.nextPhase
  return (
    <>
      <div className="task-head" style={{ marginBottom: "0.75rem" }}>
        <h1 style={{ margin: 0 }}>{pick({ zh: info.title, en: info.titleEn })}</h1>
        <LiveBadge live={live} />
      </div>
      <p className="muted">
        {t.dashboard.campaignStatus}
        {t.colon}
        {t.campaignStatus[info.status] ?? info.status}
        {matrix.data?.phase ? ` · ${phaseHeading(matrix.data)}${t.colon}${phaseName(matrix.data.phase)}` : ""}
        {matrix.data ? ` · ` : ""}
        {matrix.data ? <StatusBadge status={matrix.data.status === "closed" ? "done" : "active"} /> : null}
      </p>
      <p className="visually-hidden" role="status" aria-live="polite">
        {notice ?? ""}
      </p>
      <section className="panel" aria-labelledby="matrix-h">
        <h2 id="matrix-h">{t.dashboard.matrix}</h2>
        {matrix.failure ? <ProblemNotice failure={matrix.failure} onRetry={matrix.reload} /> : null}
        {matrix.data ? (
          (() => {
            const rows = filterRows(matrix.data, filter)
            return (
              <>
                <Counts matrix={matrix.data} filter={filter} shown={rows.length} onChange={setFilter} />
                {rows.length === 0 ? <p className="muted">{t.progress.noneMatch}</p> : null}
                <Matrix matrix={matrix.data} rows={rows} unitName={unitName} phase={phaseOf(matrix.data, filter)} />
              </>
            )
          })()
        ) : (
          <Loading />
        )}
      </section>
      <div className="grid-2">
        <section className="panel" aria-labelledby="nudge-h">
          <h2 id="nudge-h">{t.nudge.heading}</h2>
          <NudgePanel
            campaign={campaign}
            phase={matrix.data?.phase ?? null}
            phaseName={phaseName}
            units={info.units
              .filter((u) => u.key !== info.coordinator)
              .map((u) => ({ key: u.key, name: unitName(u.key) }))}
            onNudged={(message) => {
              setNotice(message)
              setNudges((n) => n + 1)
            }}
          />
        </section>
        <section className="panel" aria-labelledby="deliveries-h">
          <h2 id="deliveries-h">{t.deliveries.heading}</h2>
          <DeliveriesPanel
            campaign={campaign}
            round={nudges}
            unitName={unitName}
            taskName={taskName}
            phaseName={phaseName}
          />
        </section>
      </div>
      <div className="grid-2">
        <section className="panel" aria-labelledby="review-h">
          <h2 id="review-h">{t.dashboard.review}</h2>
          <p>
            <Link to={`/campaigns/${encodeURIComponent(campaign)}/reviews`}>{t.review.queue}</Link>
          </p>
          {pending.failure ? <ProblemNotice failure={pending.failure} onRetry={pending.reload} /> : null}
          {pending.data ? (
            <Review
              reports={pending.data}
              tasks={taskMap}
              unitName={unitName}
              onReviewed={(message) => {
                setNotice(message)
                reloadAll()
              }}
            />
          ) : (
            <Loading />
          )}
        </section>
        <section className="panel" aria-labelledby="totals-h">
          <h2 id="totals-h">{t.dashboard.totals}</h2>
          {totals.failure ? <ProblemNotice failure={totals.failure} onRetry={totals.reload} /> : null}
          {totals.data ? <TotalsPanel totals={totals.data} unitName={unitName} /> : <Loading />}
        </section>
      </div>
      <section className="panel" aria-labelledby="machine-h">
        <h2 id="machine-h">{t.dashboard.machine}</h2>
        {unit ? (
          <>
            <div className="field" style={{ maxWidth: "24rem" }}>
              <label htmlFor="machine-unit">{t.dashboard.chooseUnit}</label>
              <select id="machine-unit" value={unit} onChange={(e) => setSelected(e.target.value)}>
                {(matrix.data?.rows ?? []).map((r) => (
                  <option key={r.unit} value={r.unit}>
                    {unitName(r.unit)}
                  </option>
                ))}
              </select>
            </div>
            <UnitMachine
              campaign={campaign}
              unit={unit}
              unitName={unitName(unit)}
              phaseName={phaseName}
              taskName={taskName}
              round={round}
            />
          </>
        ) : null}
      </section>
      {principal?.role === "coordinator" && info.status === "running" ? (
        <section className="panel" aria-labelledby="change-h">
          <h2 id="change-h">{t.change.heading}</h2>
          <ChangePanel
            campaign={{ ...info, key: info.id }}
            onChanged={() => {
              detail.reload()
              reloadAll()
            }}
          />
        </section>
      ) : null}
      <section className="panel" aria-labelledby="summary-h">
        <h2 id="summary-h">{t.dashboard.summary}</h2>
        <SummaryPanel campaign={campaign} closed={info.status === "closed"} round={round} />
      </section>
    </>
  )
}
