/**
 * The auditor's view of a campaign: the journal as a timeline filtered by
 * unit, actor, task and time (kept in the address, so a view can be shared),
 * each entry with its state before → after; the verification of the hash
 * chain, the signed checkpoints and the replay; exports.
 */
import type { TrailEntry } from "@liandong/api"
import { useMemo } from "react"
import { useLive } from "../../api/Live.ts"
import { useLiveRound } from "../../api/LiveRound.ts"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { WorkbookButton } from "../../components/WorkbookButton.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useRouter } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { LiveBadge } from "../dashboard/LiveBadge.tsx"
import { exportCsv, exportJsonLines } from "./Exports.ts"
import { boundInstant } from "./FilterTime.ts"
import { Timeline } from "./Timeline.tsx"
import { type Filter, TrailFilters } from "./TrailFilters.tsx"
import { Verification } from "./Verification.tsx"

const filterOf = (search: URLSearchParams): Filter => ({
  unit: search.get("unit") ?? "",
  actor: search.get("actor") ?? "",
  task: search.get("task") ?? "",
  since: search.get("since") ?? "",
  until: search.get("until") ?? "",
})

/** The audit screen for `/audit/:campaign`. */
export const Audit = ({ campaign }: { readonly campaign: string }) => {
  const { t, pick } = useI18n()
  const { api } = useSession()
  const { search, navigate, path } = useRouter()
  const filter = filterOf(search)
  const live = useLive(campaign)
  const round = useLiveRound(live)
  const detail = useResource(
    (c) => c.run((client) => client.campaigns.get({ params: { campaign } })),
    [campaign],
    earlyValue(reads.campaign(campaign)),
  )
  const query = {
    ...(filter.unit ? { unit: filter.unit } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.task ? { task: filter.task } : {}),
    ...(filter.since ? { since: boundInstant(filter.since, "since") } : {}),
    ...(filter.until ? { until: boundInstant(filter.until, "until") } : {}),
  }
  const entries = useResource(
    (c) =>
      allPages((cursor) =>
        c.run((client) => client.audit.journal({ params: { campaign }, query: { ...pageQuery(cursor), ...query } })),
      ),
    [campaign, search.toString(), round],
    // The unfiltered trail is asked for as the page opens (Start.ts).
    search.toString() === "" ? earlyList(reads.journal(campaign)) : undefined,
  )
  const units = useMemo(() => detail.data?.units ?? [], [detail.data])
  const tasks = useMemo(() => detail.data?.phases.flatMap((p) => p.tasks) ?? [], [detail.data])
  const names = {
    unit: (key: string | null) => {
      const u = units.find((x) => x.key === key)
      return u ? pick({ zh: u.name, en: u.nameEn }) : (key ?? "—")
    },
    task: (key: string | null) => {
      const task = tasks.find((x) => x.key === key)
      return task ? pick(task.title) : (key ?? "")
    },
    phase: (key: string) => {
      const phase = detail.data?.phases.find((p) => p.key === key)
      return phase ? pick(phase.name) : key
    },
  }
  const apply = (next: Filter) => {
    const params = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== ""))
    navigate(`${path}${params.size > 0 ? `?${params}` : ""}`, { replace: true })
  }
  const list: ReadonlyArray<TrailEntry> = entries.data ?? []
  if (detail.failure) return <ProblemNotice failure={detail.failure} onRetry={detail.reload} />
  return (
    <>
      <div className="task-head" style={{ marginBottom: "0.75rem" }}>
        <h1 style={{ margin: 0 }}>
          {t.audit.heading}
          {detail.data ? `${t.colon}${pick({ zh: detail.data.title, en: detail.data.titleEn })}` : ""}
        </h1>
        <LiveBadge live={live} />
      </div>
      <section className="panel" aria-labelledby="verify-h">
        <h2 id="verify-h">{t.audit.verification}</h2>
        <Verification campaign={campaign} round={round} />
      </section>
      <section className="panel" aria-labelledby="filters-h">
        <h2 id="filters-h">{t.audit.filters}</h2>
        <TrailFilters
          key={search.toString()}
          filter={filter}
          units={units.map((u) => ({ key: u.key, name: names.unit(u.key) }))}
          tasks={tasks.map((x) => ({ key: x.key, name: pick(x.title) }))}
          actors={[...new Map(list.map((e) => [e.actor, e.actorName])).entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([id, name]) => ({ id, name }))}
          onApply={apply}
        />
      </section>
      <section className="panel" aria-labelledby="trail-h">
        <div className="task-head">
          <h2 id="trail-h" style={{ margin: 0 }}>
            {t.audit.entries(list.length)}
          </h2>
          <div className="actions" style={{ marginTop: 0 }}>
            <button
              type="button"
              onClick={() => exportCsv(campaign, list, t, names, detail.data?.timeZone ?? "Asia/Shanghai")}
              disabled={list.length === 0}
            >
              {t.audit.exportCsv}
            </button>
            <button type="button" onClick={() => void exportJsonLines(api, campaign)}>
              {t.audit.exportJsonl}
            </button>
            <WorkbookButton campaign={campaign} />
          </div>
        </div>
        {entries.failure ? <ProblemNotice failure={entries.failure} onRetry={entries.reload} /> : null}
        {entries.data === undefined ? <Loading /> : <Timeline entries={list} names={names} />}
      </section>
    </>
  )
}
