/**
 * Sign-in with a name and a password; the session cookie it sets serves every tab.
 * When the server has single sign-on (OIDC) on, a link starts it.
 */
import { type FormEvent, useEffect, useId, useState } from "react"
import { useI18n } from "../i18n/I18n.tsx"
import { useSession } from "../session/Session.tsx"

/** The sign-in screen. */
export const SignIn = () => {
  const { t } = useI18n()
  const { signIn, ended } = useSession()
  const [name, setName] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [working, setWorking] = useState(false)
  const [needsCode, setNeedsCode] = useState(false)
  const [code, setCode] = useState("")
  const id = useId()
  const [oidc, setOidc] = useState(false)
  useEffect(() => {
    fetch("/auth/oidc")
      .then((r) => (r.ok ? r.json() : { enabled: false }))
      .then((body: { enabled?: unknown }) => setOidc(body.enabled === true))
      .catch(() => setOidc(false))
  }, [])
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    setWorking(true)
    const failure = await signIn(name.trim(), password, needsCode ? code.trim() : undefined)
    setWorking(false)
    if (failure === null) return
    // A person with a second factor: the password was right; ask for the code (a wrong one asks again).
    if (failure.status === 401 && failure.reason === "second-factor-required") {
      setError(needsCode && code !== "" ? t.signIn.codeWrong : t.signIn.codeNeeded)
      setNeedsCode(true)
      setCode("")
      return
    }
    setPassword("")
    setNeedsCode(false)
    setCode("")
    setError(failure.status === 401 ? t.signIn.refused : failure.kind === "network" ? t.errors.network : failure.detail)
  }
  return (
    <div className="sign-in">
      <section className="panel" aria-labelledby={`${id}-h`}>
        <h1 id={`${id}-h`}>{t.signIn.heading}</h1>
        {ended === "expired" ? <p className="notice warn">{t.errors.unauthorized}</p> : null}
        <p>{t.signIn.lead}</p>
        <form onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-name`}>{t.signIn.nameLabel}</label>
            <input
              id={`${id}-name`}
              name="username"
              autoComplete="username"
              spellCheck={false}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          </div>
          <div className="field" data-invalid={error ? "true" : undefined}>
            <label htmlFor={`${id}-password`}>{t.signIn.passwordLabel}</label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={error ? `${id}-error` : undefined}
              aria-invalid={error ? true : undefined}
              required
            />
            {error ? (
              <span id={`${id}-error`} className="field-error" role="alert">
                {error}
              </span>
            ) : null}
          </div>
          {needsCode ? (
            <div className="field">
              <label htmlFor={`${id}-code`}>{t.signIn.codeLabel}</label>
              <input
                id={`${id}-code`}
                name="one-time-code"
                autoComplete="one-time-code"
                inputMode="numeric"
                spellCheck={false}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                required
              />
            </div>
          ) : null}
          <div className="actions">
            <button
              type="submit"
              className="primary"
              disabled={working || name === "" || password === "" || (needsCode && code.trim() === "")}
            >
              {working ? t.signIn.working : t.signIn.submit}
            </button>
          </div>
        </form>
      </section>
      {/* Single sign-on: the server runs the whole flow and comes back to / with the session cookie. */}
      <section className="panel" aria-labelledby={`${id}-oidc`} data-testid="oidc">
        <h2 id={`${id}-oidc`}>{t.signIn.oidcHeading}</h2>
        {oidc ? (
          <a className="button primary" href="/auth/oidc/start">
            {t.signIn.oidcStart}
          </a>
        ) : (
          <p className="muted">{t.signIn.oidcPending}</p>
        )}
      </section>
    </div>
  )
}
