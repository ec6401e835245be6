/**
 * The invitation link's screen, `/invite#<token>`: the token stays in the fragment,
 * which no browser sends, so it reaches no server log; it goes in a POST body only.
 */
import { type FormEvent, useId, useState } from "react"
import { toFailure } from "../api/Failure.ts"
import { acceptInvitation } from "../api/Plain.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { useRouter } from "../router/Router.tsx"

/** Sets a password with the link's token, then sends the person to sign in. */
export const AcceptInvitation = () => {
  const { t, lang } = useI18n()
  const { navigate } = useRouter()
  const [password, setPassword] = useState("")
  const [confirm, setConfirm] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [working, setWorking] = useState(false)
  const [done, setDone] = useState(false)
  const id = useId()
  const token = window.location.hash.slice(1)
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    if (password !== confirm) {
      setError(t.invite.mismatch)
      return
    }
    setWorking(true)
    try {
      await acceptInvitation({ token, password }, lang)
      // The token is spent: drop it from the address bar and the history.
      window.history.replaceState(null, "", "/invite")
      setDone(true)
    } catch (cause) {
      const failure = toFailure(cause)
      setError(
        failure.status === 410
          ? t.invite.invalid
          : failure.fields.length > 0
            ? failure.fields.map((f) => f.detail).join("；")
            : failure.detail,
      )
    } finally {
      setWorking(false)
    }
  }
  return (
    <div className="sign-in">
      <section className="panel" aria-labelledby={`${id}-h`}>
        <h1 id={`${id}-h`}>{t.invite.heading}</h1>
        {done ? (
          <>
            <p className="notice" role="status">
              {t.invite.done}
            </p>
            <div className="actions">
              <button type="button" className="primary" onClick={() => navigate("/", { replace: true })}>
                {t.invite.toSignIn}
              </button>
            </div>
          </>
        ) : token === "" ? (
          <p className="notice warn">{t.invite.invalid}</p>
        ) : (
          <>
            <p>{t.invite.lead}</p>
            <form onSubmit={onSubmit} noValidate>
              <div className="field">
                <label htmlFor={`${id}-password`}>{t.invite.passwordLabel}</label>
                <input
                  id={`${id}-password`}
                  name="new-password"
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  required
                />
              </div>
              <div className="field" data-invalid={error ? "true" : undefined}>
                <label htmlFor={`${id}-confirm`}>{t.invite.confirmLabel}</label>
                <input
                  id={`${id}-confirm`}
                  name="confirm-password"
                  type="password"
                  autoComplete="new-password"
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
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
              <div className="actions">
                <button type="submit" className="primary" disabled={working || password === ""}>
                  {working ? t.invite.working : t.invite.submit}
                </button>
              </div>
            </form>
          </>
        )}
      </section>
    </div>
  )
}
