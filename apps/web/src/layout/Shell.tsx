/**
 * The frame of every screen: a skip link, the top bar (name, the principal's
 * navigation, language switch, signing out here or everywhere), the main region and a footer.
 */
import type { ReactNode } from "react"
import { useI18n } from "../i18n/I18n.tsx"
import { Link } from "../router/Router.tsx"
import { useUnreadCount } from "../screens/notices/Unread.ts"
import { useSession } from "../session/Session.tsx"

/** The navigation a role gets. */
const navFor = (role: string | undefined) => {
  switch (role) {
    case "unit":
      return [
        { to: "/inbox", key: "inbox" },
        { to: "/history", key: "history" },
      ] as const
    case "coordinator":
      return [
        { to: "/campaigns", key: "dashboard" },
        { to: "/audit", key: "audit" },
        { to: "/people", key: "people" },
      ] as const
    case "auditor":
      return [{ to: "/audit", key: "audit" }] as const
    default:
      return [] as const
  }
}

/** Wraps a screen in the application's frame. */
export const Shell = ({ children }: { readonly children: ReactNode }) => {
  const { t, lang, setLang } = useI18n()
  const { principal, signOut, signOutEverywhere } = useSession()
  const unread = useUnreadCount()
  return (
    <>
      <a className="skip-link" href="#main">
        {t.app.skip}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          {t.app.name}
        </Link>
        {principal ? (
          <nav aria-label={t.app.name}>
            <ul>
              {navFor(principal.role).map((item) => (
                <li key={item.to}>
                  <Link to={item.to}>{t.nav[item.key]}</Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div className="who">
          {principal ? (
            <Link to="/notices" className="notices-link" data-testid="unread">
              {t.notices.link}
              {unread !== null && unread > 0 ? (
                <>
                  <span className="visually-hidden">{t.notices.unreadOpen}</span>
                  <span className="unread-count">{unread}</span>
                  <span className="visually-hidden">{t.notices.unreadClose}</span>
                </>
              ) : (
                <span className="visually-hidden">{t.notices.noneUnread}</span>
              )}
            </Link>
          ) : null}
          {principal ? (
            <span data-testid="who">
              {t.signIn.signedInAs(
                principal.unitName ? `${principal.name} · ${principal.unitName}` : principal.name,
                t.roles[principal.role] ?? principal.role,
              )}
            </span>
          ) : null}
          <button
            type="button"
            className="link-button"
            lang={lang === "zh" ? "en" : "zh-CN"}
            aria-label={t.app.switchToLabel}
            onClick={() => setLang(lang === "zh" ? "en" : "zh")}
          >
            {t.app.switchTo}
          </button>
          {principal ? (
            <>
              <button type="button" className="link-button" onClick={signOut}>
                {t.app.signOut}
              </button>
              <button type="button" className="link-button" onClick={signOutEverywhere}>
                {t.app.signOutEverywhere}
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer>{t.footer}</footer>
    </>
  )
}
