/**
 * 催办 from the dashboard: the units not acknowledged, not reported or returned in the
 * current phase — or units chosen by hand — with an optional message; a confirmation step,
 * then how many units were nudged and which.
 */
import { type FormEvent, useId, useRef, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"

type Which = "unreported" | "unacknowledged" | "returned" | "chosen"

const messageMax = 500

/** The nudge form of one campaign. */
export const NudgePanel = ({
  campaign,
  phase,
  phaseName,
  units,
  onNudged,
}: {
  readonly campaign: string
  /** the current phase, or null: every phase opened so far */
  readonly phase: string | null
  readonly phaseName: (key: string) => string
  /** the units that may be nudged, with their names */
  readonly units: ReadonlyArray<{ readonly key: string; readonly name: string }>
  readonly onNudged: (message: string) => void
}) => {
  const { t } = useI18n()
  const { api } = useSession()
  const id = useId()
  const [which, setWhich] = useState<Which>("unreported")
  const [chosen, setChosen] = useState<ReadonlyArray<string>>([])
  const [message, setMessage] = useState("")
  const [confirming, setConfirming] = useState(false)
  const [unitsError, setUnitsError] = useState<string | null>(null)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  // One key per confirmed request: a second click, or a retry, does not nudge twice.
  const key = useRef<{ request: string; key: string } | null>(null)
  const nameOf = (unit: string) => units.find((u) => u.key === unit)?.name ?? unit
  const body = () => ({
    ...(phase === null ? {} : { phase }),
    ...(which === "chosen" ? { units: [...chosen] } : { which }),
    ...(message.trim() === "" ? {} : { message: message.trim() }),
  })
  const whatWords = () => (which === "chosen" ? chosen.map(nameOf).join(t.listSeparator) : t.nudge[which])
  const onNext = (event: FormEvent) => {
    event.preventDefault()
    setDone(null)
    setFailure(null)
    if (which === "chosen" && chosen.length === 0) {
      setUnitsError(t.nudge.chooseUnits)
      return
    }
    setUnitsError(null)
    setConfirming(true)
  }
  const onConfirm = async () => {
    setBusy(true)
    setFailure(null)
    const payload = body()
    const request = JSON.stringify(payload)
    if (key.current?.request !== request) key.current = { request, key: newKey() }
    try {
      const answer = await api.run((client) =>
        client.notices.nudge({
          params: { campaign },
          headers: { "idempotency-key": key.current?.key ?? newKey() },
          payload,
        }),
      )
      key.current = null
      const said = t.nudge.done(answer.units.length, answer.units.map(nameOf).join(t.listSeparator))
      setDone(said)
      setConfirming(false)
      setMessage("")
      onNudged(said)
    } catch (cause) {
      setFailure(cause as ApiFailure)
      setConfirming(false)
    } finally {
      setBusy(false)
    }
  }
  const left = messageMax - message.length
  return (
    <form onSubmit={onNext} noValidate data-testid="nudge">
      <p className="muted" style={{ marginTop: 0 }}>
        {phase === null ? t.nudge.scopeAll : t.nudge.scope(phaseName(phase))}
      </p>
      <fieldset className="choices">
        <legend>{t.nudge.which}</legend>
        {(["unreported", "unacknowledged", "returned", "chosen"] as const).map((option) => (
          <label key={option}>
            <input
              type="radio"
              name={`${id}-which`}
              value={option}
              checked={which === option}
              onChange={() => {
                setWhich(option)
                setConfirming(false)
              }}
            />{" "}
            {t.nudge[option]}
          </label>
        ))}
      </fieldset>
      {which === "chosen" ? (
        <fieldset
          className="choices"
          data-invalid={unitsError ? "true" : undefined}
          aria-describedby={unitsError ? `${id}-units-err` : undefined}
        >
          <legend>{t.nudge.units}</legend>
          {units.map((unit) => (
            <label key={unit.key}>
              <input
                type="checkbox"
                value={unit.key}
                checked={chosen.includes(unit.key)}
                onChange={(e) => {
                  setConfirming(false)
                  setChosen(e.target.checked ? [...chosen, unit.key] : chosen.filter((k) => k !== unit.key))
                }}
              />{" "}
              {unit.name}
            </label>
          ))}
          {unitsError ? (
            <span id={`${id}-units-err`} className="field-error" role="alert">
              {unitsError}
            </span>
          ) : null}
        </fieldset>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-message`}>{t.nudge.message}</label>
        <textarea
          id={`${id}-message`}
          value={message}
          maxLength={messageMax}
          onChange={(e) => {
            setMessage(e.target.value)
            setConfirming(false)
          }}
          aria-describedby={`${id}-message-hint`}
        />
        <span id={`${id}-message-hint`} className="hint">
          {t.nudge.messageHint(left)}
        </span>
      </div>
      {failure ? <ProblemNotice failure={failure} /> : null}
      {confirming ? (
        <div className="notice info" data-testid="nudge-confirm">
          <p style={{ marginTop: 0 }}>{t.nudge.confirmText(whatWords())}</p>
          <div className="actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void onConfirm()}>
              {busy ? t.nudge.working : t.nudge.confirm}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t.nudge.cancel}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="submit">{t.nudge.next}</button>
        </div>
      )}
      {done ? (
        <p data-testid="nudge-done" className="notice ok" role="status">
          {done}
        </p>
      ) : null}
    </form>
  )
}
