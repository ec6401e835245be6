/**
 * The application: language, session and router around the screen the path
 * and the principal's role call for. What a role may not use is not offered.
 */
import type { Principal } from "@liandong/api"
import { lazy, type ReactNode, Suspense, useEffect } from "react"
import { chunks, homeOf } from "./Chunks.ts"
import { Loading } from "./components/Problem.tsx"
import { I18nProvider, useI18n } from "./i18n/I18n.tsx"
import { Shell } from "./layout/Shell.tsx"
import { Link, matchPath, RouterProvider, useRouter } from "./router/Router.tsx"
import { SignIn } from "./screens/SignIn.tsx"
import { SessionProvider, useSession } from "./session/Session.tsx"

const AcceptInvitation = lazy(() => chunks.invitation().then((m) => ({ default: m.AcceptInvitation })))
const CampaignList = lazy(() => chunks.campaigns().then((m) => ({ default: m.CampaignList })))
const Dashboard = lazy(() => chunks.dashboard().then((m) => ({ default: m.Dashboard })))
const Audit = lazy(() => chunks.audit().then((m) => ({ default: m.Audit })))
const UnitPage = lazy(() => chunks.unit().then((m) => ({ default: m.UnitPage })))
const Notices = lazy(() => chunks.notices().then((m) => ({ default: m.Notices })))
const People = lazy(() => chunks.people().then((m) => ({ default: m.People })))
const Inbox = lazy(() => chunks.inbox().then((m) => ({ default: m.Inbox })))
const TaskPage = lazy(() => chunks.inbox().then((m) => ({ default: m.TaskPage })))
const History = lazy(() => chunks.inbox().then((m) => ({ default: m.History })))
const Queue = lazy(() => chunks.review().then((m) => ({ default: m.Queue })))
const ReportPage = lazy(() => chunks.review().then((m) => ({ default: m.ReportPage })))

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

/** The screens, with a loading line while a screen's chunk arrives. */
const LazyScreens = () => (
  <Suspense fallback={<Loading />}>
    <Screens />
  </Suspense>
)

/** The whole application. */
export const App = () => (
  <I18nProvider>
    <RouterProvider>
      <SessionProvider>
        <Shell>
          <LazyScreens />
        </Shell>
      </SessionProvider>
    </RouterProvider>
  </I18nProvider>
)
