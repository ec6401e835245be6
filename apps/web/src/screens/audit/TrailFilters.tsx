/**
 * The trail's filters: unit, actor, task and a time window; applied on submit.
 * The times are text fields with the format shown in the reader's language
 * (a browser's date control follows the browser's locale, not the page's:
 * mm/dd/yyyy in a Chinese interface), checked before anything is applied.
 */
import { type FormEvent, useId, useRef, useState } from "react"
import { useI18n } from "../../i18n/I18n.tsx"
import { addressForm, fieldForm, inOrder, parseFilterTime } from "./FilterTime.ts"

/** The filter values as the form holds them (empty: any). */
export interface Filter {
  readonly unit: string
  readonly actor: string
  readonly task: string
  readonly since: string
  readonly until: string
}

const empty: Filter = { unit: "", actor: "", task: "", since: "", until: "" }

/** The filter form. */
export const TrailFilters = ({
  filter,
  units,
  tasks,
  actors,
  onApply,
}: {
  readonly filter: Filter
  readonly units: ReadonlyArray<{ key: string; name: string }>
  readonly tasks: ReadonlyArray<{ key: string; name: string }>
  /** who acted, by id (what the filter matches), with the directory's name where there is one */
  readonly actors: ReadonlyArray<{ readonly id: string; readonly name: string | null }>
  readonly onApply: (filter: Filter) => void
}) => {
  const { t } = useI18n()
  const id = useId()
  const [value, setValue] = useState<Filter>({
    ...filter,
    since: fieldForm(filter.since),
    until: fieldForm(filter.until),
  })
  const [errors, setErrors] = useState<Partial<Record<"since" | "until", string>>>({})
  const fields = { since: useRef<HTMLInputElement>(null), until: useRef<HTMLInputElement>(null) }
  const set = (field: keyof Filter) => (e: { target: { value: string } }) =>
    setValue((old) => ({ ...old, [field]: e.target.value }))
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    const read = (text: string) => (text.trim() === "" ? "" : parseFilterTime(text))
    const since = read(value.since)
    const until = read(value.until)
    const found: Partial<Record<"since" | "until", string>> = {}
    if (since === null) found.since = t.audit.timeInvalid
    if (until === null) found.until = t.audit.timeInvalid
    if (since && until && !inOrder(since, until)) found.until = t.audit.untilBeforeSince
    setErrors(found)
    const first = found.since ? fields.since : found.until ? fields.until : null
    if (first !== null) {
      first.current?.focus()
      return
    }
    onApply({ ...value, since: since ? addressForm(since) : "", until: until ? addressForm(until) : "" })
  }
  const timeField = (field: "since" | "until") => {
    const input = `${id}-${field}`
    const hint = `${input}-hint`
    const error = errors[field]
    return (
      <div className="field" data-invalid={error ? "true" : undefined}>
        <label htmlFor={input}>{t.audit[field]}</label>
        <input
          ref={fields[field]}
          id={input}
          name={field}
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={value[field]}
          onChange={set(field)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${hint} ${hint}-error` : hint}
        />
        <span id={hint} className="hint">
          {field === "since" ? t.audit.sinceHint : t.audit.untilHint}
        </span>
        {error ? (
          <span id={`${hint}-error`} className="field-error" data-error-for={field} role="alert">
            {error}
          </span>
        ) : null}
      </div>
    )
  }
  return (
    <form onSubmit={onSubmit} data-testid="trail-filters">
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t.audit.unit}</label>
          <select id={`${id}-unit`} name="unit" value={value.unit} onChange={set("unit")}>
            <option value="">{t.audit.any}</option>
            {units.map((u) => (
              <option key={u.key} value={u.key}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>{t.audit.actor}</label>
          <input id={`${id}-actor`} name="actor" list={`${id}-actors`} value={value.actor} onChange={set("actor")} />
          <datalist id={`${id}-actors`}>
            {actors.map((a) => (
              <option key={a.id} value={a.id} label={a.name ?? undefined} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={`${id}-task`}>{t.audit.task}</label>
          <select id={`${id}-task`} name="task" value={value.task} onChange={set("task")}>
            <option value="">{t.audit.any}</option>
            {tasks.map((x) => (
              <option key={x.key} value={x.key}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
        {timeField("since")}
        {timeField("until")}
      </div>
      <div className="actions" style={{ marginTop: 0 }}>
        <button type="submit" className="primary">
          {t.audit.apply}
        </button>
        <button
          type="button"
          onClick={() => {
            setValue(empty)
            setErrors({})
            onApply(empty)
          }}
        >
          {t.audit.clear}
        </button>
      </div>
    </form>
  )
}
