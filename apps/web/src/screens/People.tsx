/**
 * The people a coordinator manages: invite a unit contact (the link is shown once,
 * with a copy button), see who has set a password or is locked out, reset a password.
 */
import type { Person } from "@liandong/api"
import { type FormEvent, useId, useState } from "react"
import { type ApiFailure, toFailure } from "../api/Failure.ts"
import { reads } from "../api/Reads.ts"
import { earlyValue, useResource } from "../api/Resource.ts"
import { useI18n } from "../i18n/I18n.tsx"
import { useSession } from "../session/Session.tsx"

const linkOf = (token: string) => `${window.location.origin}/invite#${token}`

/** The people screen. */
export const People = () => {
  const { t } = useI18n()
  const { api } = useSession()
  const id = useId()
  // Shown from the early answer while the API client loads (api/Early.ts).
  const list = useResource(
    (connection) => connection.run((client) => client.people.people()),
    [],
    earlyValue<ReadonlyArray<Person>>(reads.people),
  )
  const people = list.data ?? null
  const [failed, setFailure] = useState<ApiFailure | null>(null)
  const failure = failed ?? list.failure
  const [form, setForm] = useState({ id: "", name: "", unit: "", mobile: "" })
  const [link, setLink] = useState<{ person: string; url: string } | null>(null)
  const [copied, setCopied] = useState(false)
  const [working, setWorking] = useState(false)

  const load = list.reload

  const show = (person: string, token: string) => {
    setCopied(false)
    setLink({ person, url: linkOf(token) })
  }

  const onInvite = async (event: FormEvent) => {
    event.preventDefault()
    setWorking(true)
    setFailure(null)
    try {
      const invitation = await api.run((client) =>
        client.people.invite({
          payload: {
            id: form.id.trim(),
            name: form.name.trim(),
            role: "unit",
            unit: form.unit.trim(),
            ...(form.mobile.trim() === "" ? {} : { mobile: form.mobile.trim() }),
          },
        }),
      )
      show(invitation.person, invitation.token)
      setForm({ id: "", name: "", unit: "", mobile: "" })
      load()
    } catch (cause) {
      setFailure(toFailure(cause))
    } finally {
      setWorking(false)
    }
  }

  const onReset = async (person: string) => {
    setFailure(null)
    try {
      const invitation = await api.run((client) => client.people.resetPassword({ params: { id: person } }))
      show(invitation.person, invitation.token)
    } catch (cause) {
      setFailure(toFailure(cause))
    }
  }

  const field = (key: keyof typeof form, label: string, autoComplete = "off") => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        name={key}
        autoComplete={autoComplete}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
    </div>
  )

  return (
    <div className="people">
      <h1>{t.people.heading}</h1>
      {failure ? (
        <p className="notice warn" role="alert">
          {failure.fields.length > 0 ? failure.fields.map((f) => `${f.path}: ${f.detail}`).join("；") : failure.detail}
        </p>
      ) : null}
      {link ? (
        <section className="panel" aria-labelledby={`${id}-link`} data-testid="invitation-link">
          <h2 id={`${id}-link`}>{link.person}</h2>
          <p>{t.people.linkOnce}</p>
          <p>
            <code data-testid="invitation-url">{link.url}</code>{" "}
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(link.url).then(() => setCopied(true))}
            >
              {copied ? t.people.copied : t.people.copy}
            </button>
          </p>
        </section>
      ) : null}
      <section className="panel" aria-labelledby={`${id}-invite`}>
        <h2 id={`${id}-invite`}>{t.people.inviteHeading}</h2>
        <form onSubmit={onInvite} noValidate>
          {field("id", t.people.idLabel)}
          {field("name", t.people.nameLabel)}
          {field("unit", t.people.unitLabel)}
          {field("mobile", t.people.mobileLabel, "tel")}
          <div className="actions">
            <button type="submit" className="primary" disabled={working || form.id === "" || form.name === ""}>
              {t.people.inviteSubmit}
            </button>
          </div>
        </form>
      </section>
      <section className="panel" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t.people.listHeading}</h2>
        {people === null ? null : people.length === 0 ? (
          <p className="muted">{t.people.empty}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.people.columns.id}</th>
                <th scope="col">{t.people.columns.name}</th>
                <th scope="col">{t.people.columns.unit}</th>
                <th scope="col">{t.people.columns.password}</th>
                <th scope="col">{t.people.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {people.map((person) => (
                <tr key={person.id}>
                  <td>{person.id}</td>
                  <td>{person.name}</td>
                  <td>{person.unit ?? ""}</td>
                  <td>
                    {person.passwordSet ? t.people.passwordSet : t.people.passwordUnset}
                    {person.lockedUntil !== null && Date.parse(person.lockedUntil) > Date.now()
                      ? ` · ${t.people.lockedUntil(new Date(person.lockedUntil).toLocaleString())}`
                      : ""}
                  </td>
                  <td>
                    <button type="button" onClick={() => void onReset(person.id)}>
                      {t.people.reset}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}
