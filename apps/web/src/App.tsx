/**
 * The application: language, session and router around the screen the path
 * and the principal's role call for. What a role may not use is not offered.
 */
import type { Principal } from "@liandong/api"
import { type ReactNode, useEffect } from "react"
import { Loading } from "./components/Problem.tsx"
import { I18nProvider, useI18n } from "./i18n/I18n.tsx"
import { Shell } from "./layout/Shell.tsx"
import { Link, matchPath, RouterProvider, useRouter } from "./router/Router.tsx"
import { AcceptInvitation } from "./screens/AcceptInvitation.tsx"
import { Audit } from "./screens/audit/Audit.tsx"
import { CampaignList } from "./screens/CampaignList.tsx"
import { Dashboard } from "./screens/dashboard/Dashboard.tsx"
import { History } from "./screens/inbox/History.tsx"
import { Inbox } from "./screens/inbox/Inbox.tsx"
import { TaskPage } from "./screens/inbox/TaskPage.tsx"
import { Notices } from "./screens/notices/Notices.tsx"
import { People } from "./screens/People.tsx"
import { Queue } from "./screens/review/Queue.tsx"
import { ReportPage } from "./screens/review/ReportPage.tsx"
import { SignIn } from "./screens/SignIn.tsx"
import { UnitPage } from "./screens/unit/UnitPage.tsx"
import { SessionProvider, useSession } from "./session/Session.tsx"

/** Where each role starts. */
export const homeOf = (role: Principal["role"]): string =>
  role === "unit" ? "/inbox" : role === "coordinator" ? "/campaigns" : "/audit"

const Redirect = ({ to }: { readonly to: string }) => {
  const { navigate } = useRouter()
  useEffect(() => navigate(to, { replace: true }), [to, navigate])
  return null
}

const NotFoundScreen = () => {
  const { t } = useI18n()
  return (
    <section className="panel">
      <h1>{t.app.notFound}</h1>
      <Link to="/">{t.app.backHome}</Link>
    </section>
  )
}

/** The screen for a path, given who is signed in. */
const screenFor = (path: string, principal: Principal, t: ReturnType<typeof useI18n>["t"]): ReactNode => {
  const role = principal.role
  if (path === "/" || path === "/sign-in") return <Redirect to={homeOf(role)} />
  if (path === "/notices") return <Notices />
  // Every role: the API answers with what this person may read (a unit: itself and its subordinates).
  const unitPage = matchPath("/campaigns/:campaign/units/:unit", path)
  if (unitPage)
    return (
      <UnitPage
        key={`${unitPage.campaign}/${unitPage.unit}`}
        campaign={unitPage.campaign ?? ""}
        unit={unitPage.unit ?? ""}
      />
    )
  // Whoever may read the report: the API answers "not found" to anyone else.
  const report = matchPath("/reports/:report", path)
  if (report) return <ReportPage key={report.report} report={report.report ?? ""} />
  if (role === "unit") {
    if (path === "/inbox") return <Inbox />
    if (path === "/history") return <History />
    const task = matchPath("/tasks/:campaign/:unit/:task", path)
    if (task) return <TaskPage campaign={task.campaign ?? ""} unit={task.unit ?? ""} task={task.task ?? ""} />
  }
  if (role === "coordinator") {
    if (path === "/campaigns") return <CampaignList base="/campaigns" heading={t.dashboard.choose} />
    if (path === "/people") return <People />
    const reviews = matchPath("/campaigns/:campaign/reviews", path)
    if (reviews) return <Queue key={reviews.campaign} campaign={reviews.campaign ?? ""} />
    const dashboard = matchPath("/campaigns/:campaign", path)
    if (dashboard) return <Dashboard key={dashboard.campaign} campaign={dashboard.campaign ?? ""} />
  }
  if (role === "coordinator" || role === "auditor") {
    if (path === "/audit") return <CampaignList base="/audit" heading={t.audit.heading} />
    const audit = matchPath("/audit/:campaign", path)
    if (audit) return <Audit key={audit.campaign} campaign={audit.campaign ?? ""} />
  }
  return <NotFoundScreen />
}

const Screens = () => {
  const { state, principal } = useSession()
  const { path } = useRouter()
  const { t } = useI18n()
  // The invitation link works signed in or not: it is for whoever holds it.
  if (path === "/invite") return <AcceptInvitation />
  if (state === "checking") return <Loading />
  if (state === "signed-out" || principal === null) return <SignIn />
  return <>{screenFor(path, principal, t)}</>
}

/** The whole application. */
export const App = () => (
  <I18nProvider>
    <RouterProvider>
      <SessionProvider>
        <Shell>
          <Screens />
        </Shell>
      </SessionProvider>
    </RouterProvider>
  </I18nProvider>
)
