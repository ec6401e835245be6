/**
 * Changing a running campaign without writing code: extend a deadline for all or some
 * units, add a unit, withdraw one. Each is previewed first (the engine's plan: what changes
 * for whom, what is refused and why), then applied with a reason the journal keeps.
 */
import { type FormEvent, useId, useRef, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"

type Kind = "extend" | "add-unit" | "withdraw-unit"
type Role = "host" | "implementer" | "co-organiser" | "member" | "subordinate"

interface Outline {
  readonly key: string
  readonly units: ReadonlyArray<{ key: string; name: string; nameEn: string | null }>
  readonly phases: ReadonlyArray<{
    key: string
    tasks: ReadonlyArray<{ key: string; title: { zh: string; en: string | null } }>
  }>
}

interface Answer {
  readonly applied: boolean
  readonly version: number
  readonly unchanged: boolean
  readonly words: ReadonlyArray<{ zh: string; en: string }>
  readonly plan: { readonly refusals: ReadonlyArray<{ path: string; zh: string; en: string }> }
}

/** The coordinator's panel for the common changes; `onChanged` runs after one is applied. */
export const ChangePanel = ({
  campaign,
  onChanged,
}: {
  readonly campaign: Outline
  readonly onChanged: () => void
}) => {
  const { t, pick, lang } = useI18n()
  const { api } = useSession()
  const id = useId()
  const [kind, setKind] = useState<Kind>("extend")
  const tasks = campaign.phases.flatMap((p) => p.tasks)
  const [task, setTask] = useState(tasks[0]?.key ?? "")
  const [unit, setUnit] = useState("")
  const [deadline, setDeadline] = useState("")
  const [newKeyText, setNewKeyText] = useState("")
  const [name, setName] = useState("")
  const [role, setRole] = useState<Role>("member")
  const [parent, setParent] = useState("")
  const [reason, setReason] = useState("")
  const [answer, setAnswer] = useState<Answer | null>(null)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [busy, setBusy] = useState(false)
  const key = useRef<{ body: string; key: string } | null>(null)

  const change = () => {
    switch (kind) {
      case "extend":
        return { kind, task, deadline, ...(unit === "" ? {} : { units: [unit] }) }
      case "add-unit":
        return {
          kind,
          unit: { key: newKeyText.trim(), name: name.trim(), role, ...(parent === "" ? {} : { parent }) },
          tasks: [task],
        }
      case "withdraw-unit":
        return { kind, unit }
    }
  }
  const send = async (dryRun: boolean) => {
    setBusy(true)
    setFailure(null)
    try {
      const payload = { change: change(), reason: reason.trim(), dryRun } as never
      const body = JSON.stringify(payload)
      if (key.current?.body !== body) key.current = { body, key: newKey() }
      const result = (await api.run((client) =>
        client.campaigns.change({
          params: { campaign: campaign.key },
          headers: { "idempotency-key": key.current?.key ?? newKey() },
          payload,
        }),
      )) as Answer
      setAnswer(result)
      if (result.applied) {
        key.current = null
        onChanged()
      }
    } catch (cause) {
      setAnswer(null)
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    void send(false)
  }
  const unitName = (u: Outline["units"][number]) => pick({ zh: u.name, en: u.nameEn }) ?? u.key
  const words = (w: { zh: string; en: string }) => (lang === "en" ? w.en : w.zh)
  return (
    <form onSubmit={onSubmit} aria-describedby={`${id}-help`} data-testid="change-panel">
      <p id={`${id}-help`} className="muted">
        {t.change.help}
      </p>
      <fieldset className="field">
        <legend>{t.change.kind}</legend>
        {(["extend", "add-unit", "withdraw-unit"] as const).map((k) => (
          <label key={k} style={{ marginRight: "1rem" }}>
            <input
              type="radio"
              name={`${id}-kind`}
              value={k}
              checked={kind === k}
              onChange={() => {
                setKind(k)
                setAnswer(null)
              }}
            />{" "}
            {t.change.kinds[k]}
          </label>
        ))}
      </fieldset>
      {kind !== "withdraw-unit" ? (
        <div className="field">
          <label htmlFor={`${id}-task`}>{t.change.task}</label>
          <select id={`${id}-task`} value={task} onChange={(e) => setTask(e.target.value)}>
            {tasks.map((x) => (
              <option key={x.key} value={x.key}>
                {pick(x.title)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {kind !== "add-unit" ? (
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t.change.unit}</label>
          <select id={`${id}-unit`} value={unit} onChange={(e) => setUnit(e.target.value)}>
            {kind === "extend" ? <option value="">{t.change.allUnits}</option> : <option value="" />}
            {campaign.units.map((u) => (
              <option key={u.key} value={u.key}>
                {unitName(u)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {kind === "extend" ? (
        <div className="field">
          <label htmlFor={`${id}-deadline`}>{t.change.deadline}</label>
          <input
            id={`${id}-deadline`}
            type="datetime-local"
            value={deadline}
            onChange={(e) => setDeadline(e.target.value)}
            required
          />
        </div>
      ) : null}
      {kind === "add-unit" ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-key`}>{t.change.newKey}</label>
            <input id={`${id}-key`} value={newKeyText} onChange={(e) => setNewKeyText(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor={`${id}-name`}>{t.change.name}</label>
            <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>{t.change.role}</label>
            <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {(["member", "subordinate", "co-organiser", "implementer"] as const).map((r) => (
                <option key={r} value={r}>
                  {t.change.roles[r]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-parent`}>{t.change.parent}</label>
            <select id={`${id}-parent`} value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">{t.change.noParent}</option>
              {campaign.units.map((u) => (
                <option key={u.key} value={u.key}>
                  {unitName(u)}
                </option>
              ))}
            </select>
          </div>
        </>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t.change.reason}</label>
        <textarea id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </div>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void send(true)}>
          {t.change.preview}
        </button>
        <button type="submit" className="primary" disabled={busy || answer === null || answer.plan.refusals.length > 0}>
          {t.change.apply}
        </button>
      </div>
      {failure ? <ProblemNotice failure={failure} /> : null}
      {answer ? (
        <div role="status" data-testid="change-plan">
          {answer.applied ? <p className="notice ok">{t.change.applied(answer.version)}</p> : null}
          {answer.unchanged ? <p className="muted">{t.change.unchanged}</p> : null}
          <ul>
            {answer.words.map((w) => (
              <li key={w.en}>{words(w)}</li>
            ))}
          </ul>
          {answer.plan.refusals.length > 0 ? (
            <>
              <p className="notice warn">{t.change.refused}</p>
              <ul>
                {answer.plan.refusals.map((r) => (
                  <li key={`${r.path}${r.en}`}>{words(r)}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </form>
  )
}
