/** The campaigns the principal may see; with only one, it opens directly. */
import { useEffect } from "react"
import { allPages, pageQuery } from "../api/Pages.ts"
import { reads } from "../api/Reads.ts"
import { earlyList, useResource } from "../api/Resource.ts"
import { Loading, ProblemNotice } from "../components/Problem.tsx"
import { useI18n } from "../i18n/I18n.tsx"
import { Link, useRouter } from "../router/Router.tsx"

/** Lists campaigns; each links to `${base}/<id>`. */
export const CampaignList = ({ base, heading }: { readonly base: string; readonly heading: string }) => {
  const { t, pick } = useI18n()
  const { navigate } = useRouter()
  const list = useResource(
    (api) => allPages((cursor) => api.run((client) => client.campaigns.list({ query: pageQuery(cursor) }))),
    [],
    earlyList(reads.campaigns),
  )
  const only = list.data?.length === 1 ? list.data[0] : undefined
  useEffect(() => {
    if (only) navigate(`${base}/${encodeURIComponent(only.id)}`, { replace: true })
  }, [only, base, navigate])
  if (list.failure) return <ProblemNotice failure={list.failure} onRetry={list.reload} />
  if (list.data === undefined) return <Loading />
  return (
    <>
      <h1>{heading}</h1>
      {list.data.length === 0 ? <p className="panel">{t.dashboard.noCampaigns}</p> : null}
      <ul className="task-list">
        {list.data.map((c) => (
          <li key={c.id} className="task">
            <Link to={`${base}/${encodeURIComponent(c.id)}`}>{pick({ zh: c.title, en: c.titleEn })}</Link>{" "}
            <span className="muted">
              {c.id} · {t.campaignStatus[c.status] ?? c.status}
            </span>
          </li>
        ))}
      </ul>
    </>
  )
}
