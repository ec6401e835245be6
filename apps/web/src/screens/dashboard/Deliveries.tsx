/**
 * Who each notice reached (the coordinator's view): per nudge — and per kind of automatic
 * notice — how many deliveries went out, failed or wait, and per person and channel the
 * outcome. Deliveries appear once the worker has fanned a notice out.
 */
import type { Delivery } from "@liandong/api"
import { useEffect } from "react"
import { useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { TableFrame } from "../../components/TableFrame.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"

interface Group {
  readonly key: string
  readonly nudge: string | null
  readonly rows: Delivery[]
}

const groupsOf = (rows: ReadonlyArray<Delivery>): Group[] => {
  const groups = new Map<string, Group>()
  for (const row of rows) {
    const key = row.nudge ?? `${row.kind}|${row.task ?? row.phase ?? ""}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { key, nudge: row.nudge, rows: [row] })
    else group.rows.push(row)
  }
  const latest = (g: Group) => Math.max(...g.rows.map((r) => Number(r.id)))
  // Nudges first, the latest on top; then the automatic notices, the latest on top.
  return [...groups.values()].sort(
    (a, b) => Number(b.nudge !== null) - Number(a.nudge !== null) || latest(b) - latest(a),
  )
}

/** The deliveries panel of a campaign; `round` changes when they should be read again. */
export const DeliveriesPanel = ({
  campaign,
  round,
  unitName,
  taskName,
  phaseName,
}: {
  readonly campaign: string
  readonly round: number
  readonly unitName: (key: string) => string
  readonly taskName: (key: string) => string
  readonly phaseName: (key: string) => string
}) => {
  const { t, lang } = useI18n()
  const deliveries = useResource(
    (api) => api.run((client) => client.notices.deliveries({ params: { campaign } })),
    [campaign, round],
  )
  // The worker fans a new nudge out within moments: read again shortly after a change.
  useEffect(() => {
    if (round === 0) return
    const timers = [1500, 4000, 9000].map((ms) => window.setTimeout(deliveries.reload, ms))
    return () => {
      for (const timer of timers) window.clearTimeout(timer)
    }
  }, [round])
  if (deliveries.failure) return <ProblemNotice failure={deliveries.failure} onRetry={deliveries.reload} />
  if (deliveries.data === undefined) return <Loading />
  const groups = groupsOf(deliveries.data)
  return (
    <div data-testid="deliveries">
      <div className="actions">
        <button type="button" onClick={deliveries.reload}>
          {t.deliveries.refresh}
        </button>
      </div>
      {groups.length === 0 ? <p className="muted">{t.deliveries.empty}</p> : null}
      {groups.map((group, index) => {
        const first = group.rows[0] as Delivery
        const count = (status: string) => group.rows.filter((r) => r.status === status).length
        const title =
          group.nudge !== null
            ? t.deliveries.nudgeGroup(formatDateTime(first.at, lang), new Set(group.rows.map((r) => r.unit)).size)
            : t.deliveries.noticeGroup(
                t.notices.kinds[first.kind] ?? first.kind,
                first.task ? taskName(first.task) : first.phase ? phaseName(first.phase) : "",
              )
        return (
          <details key={group.key} open={index === 0 && group.nudge !== null} data-nudge={group.nudge ?? undefined}>
            <summary>
              <strong>{title}</strong> ·{" "}
              {t.deliveries.counts(count("sent"), count("failed") + count("parked"), count("pending"))}
            </summary>
            {first.message ? <p className="return-reason">{first.message}</p> : null}
            <TableFrame label={`${title}${t.colon}${t.deliveries.caption}`}>
              <table className="plain">
                <caption className="visually-hidden">
                  {title}
                  {t.colon}
                  {t.deliveries.caption}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t.deliveries.person}</th>
                    <th scope="col">{t.deliveries.unit}</th>
                    <th scope="col">{t.deliveries.channel}</th>
                    <th scope="col">{t.deliveries.status}</th>
                    <th scope="col">{t.deliveries.detail}</th>
                  </tr>
                </thead>
                <tbody>
                  {group.rows.map((row) => (
                    <tr key={row.id} data-person={row.person} data-channel={row.channel} data-status={row.status}>
                      <td>{row.personName ?? row.person}</td>
                      <td>{unitName(row.unit)}</td>
                      <td>{t.deliveries.channels[row.channel] ?? row.channel}</td>
                      <td>{t.deliveries.statuses[row.status] ?? row.status}</td>
                      <td>
                        {row.channel === "email" ? t.deliveries.attempts(row.attempts) : ""}
                        {row.lastError ? ` · ${row.lastError}` : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          </details>
        )
      })}
    </div>
  )
}
