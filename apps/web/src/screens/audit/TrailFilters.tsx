/** The trail's filters: unit, actor, task and a time window; applied on submit. */
import { type FormEvent, useId, useState } from "react"
import { useI18n } from "../../i18n/I18n.tsx"

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
  readonly actors: ReadonlyArray<string>
  readonly onApply: (filter: Filter) => void
}) => {
  const { t } = useI18n()
  const id = useId()
  const [value, setValue] = useState<Filter>(filter)
  const set = (field: keyof Filter) => (e: { target: { value: string } }) =>
    setValue((old) => ({ ...old, [field]: e.target.value }))
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    onApply(value)
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
              <option key={a} value={a} />
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
        <div className="field">
          <label htmlFor={`${id}-since`}>{t.audit.since}</label>
          <input id={`${id}-since`} name="since" type="datetime-local" value={value.since} onChange={set("since")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-until`}>{t.audit.until}</label>
          <input id={`${id}-until`} name="until" type="datetime-local" value={value.until} onChange={set("until")} />
        </div>
      </div>
      <div className="actions" style={{ marginTop: 0 }}>
        <button type="submit" className="primary">
          {t.audit.apply}
        </button>
        <button
          type="button"
          onClick={() => {
            setValue(empty)
            onApply(empty)
          }}
        >
          {t.audit.clear}
        </button>
      </div>
    </form>
  )
}
