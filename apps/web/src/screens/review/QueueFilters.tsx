/**
 * The review queue's filters, kept in the URL (a link or reload shows the same queue):
 * phase, task, unit, level, state, late or on time, words in a unit's name or the
 * narrative, and the order. Applied on submit; the list is filtered by the server.
 */
import { type FormEvent, useId, useState } from "react"
import { useI18n } from "../../i18n/I18n.tsx"

/** The queue's filter as the URL holds it (empty: any). */
export interface QueueFilter {
  readonly phase: string
  readonly task: string
  readonly unit: string
  readonly level: "" | "national" | "province" | "city" | "county"
  readonly state: "" | "submitted" | "returned" | "approved"
  readonly late: "" | "true" | "false"
  readonly q: string
  readonly sort: "submitted" | "unit" | "deadline"
}

const oneOf = <T extends string>(value: string | null, options: ReadonlyArray<T>, fallback: T): T =>
  options.includes(value as T) ? (value as T) : fallback

/** The filter a URL's search names; by default the reports awaiting review, by submission. */
export const queueFilterOf = (search: URLSearchParams): QueueFilter => ({
  phase: search.get("phase") ?? "",
  task: search.get("task") ?? "",
  unit: search.get("unit") ?? "",
  level: oneOf(search.get("level"), ["", "national", "province", "city", "county"], ""),
  state: search.has("state") ? oneOf(search.get("state"), ["", "submitted", "returned", "approved"], "") : "submitted",
  late: oneOf(search.get("late"), ["", "true", "false"], ""),
  q: search.get("q") ?? "",
  sort: oneOf(search.get("sort"), ["submitted", "unit", "deadline"], "submitted"),
})

/** The URL search of a filter ("state" is always written: its absence means "awaiting review"). */
export const queueQueryOf = (filter: QueueFilter): string => {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filter)) if (value !== "" || key === "state") params.set(key, value)
  if (filter.sort === "submitted") params.delete("sort")
  return `?${params.toString()}`
}

const cleared: QueueFilter = {
  phase: "",
  task: "",
  unit: "",
  level: "",
  state: "submitted",
  late: "",
  q: "",
  sort: "submitted",
}

/** The filter form. */
export const QueueFilters = ({
  filter,
  phases,
  tasks,
  units,
  onApply,
}: {
  readonly filter: QueueFilter
  readonly phases: ReadonlyArray<{ key: string; name: string }>
  readonly tasks: ReadonlyArray<{ key: string; name: string }>
  readonly units: ReadonlyArray<{ key: string; name: string }>
  readonly onApply: (filter: QueueFilter) => void
}) => {
  const { t } = useI18n()
  const id = useId()
  const [value, setValue] = useState<QueueFilter>(filter)
  const set = (field: keyof QueueFilter) => (e: { target: { value: string } }) =>
    setValue((old) => ({ ...old, [field]: e.target.value }))
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    onApply({ ...value, q: value.q.trim() })
  }
  const select = (
    field: keyof QueueFilter,
    label: string,
    options: ReadonlyArray<{ key: string; name: string }>,
    any = true,
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <select id={`${id}-${field}`} name={field} value={value[field]} onChange={set(field)}>
        {any ? <option value="">{t.review.any}</option> : null}
        {options.map((o) => (
          <option key={o.key} value={o.key}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  )
  return (
    <form onSubmit={onSubmit} data-testid="queue-filters" aria-label={t.review.filters}>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-q`}>{t.review.search}</label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            maxLength={100}
            value={value.q}
            onChange={set("q")}
            aria-describedby={`${id}-q-hint`}
          />
          <span id={`${id}-q-hint`} className="hint">
            {t.review.searchHint}
          </span>
        </div>
        {select(
          "state",
          t.review.state,
          (["submitted", "returned", "approved"] as const).map((key) => ({ key, name: t.review.states[key] })),
        )}
        {select("phase", t.review.phase, phases)}
        {select("task", t.review.task, tasks)}
        {select("unit", t.review.unit, units)}
        {select(
          "level",
          t.review.level,
          (["national", "province", "city", "county"] as const).map((key) => ({ key, name: t.review.levels[key] })),
        )}
        {select("late", t.review.late, [
          { key: "true", name: t.review.lateOnly },
          { key: "false", name: t.review.onTime },
        ])}
        {select(
          "sort",
          t.review.sort,
          (["submitted", "unit", "deadline"] as const).map((key) => ({ key, name: t.review.sorts[key] })),
          false,
        )}
      </div>
      <div className="actions" style={{ marginTop: 0 }}>
        <button type="submit" className="primary">
          {t.audit.apply}
        </button>
        <button
          type="button"
          onClick={() => {
            setValue(cleared)
            onApply(cleared)
          }}
        >
          {t.review.clear}
        </button>
      </div>
    </form>
  )
}
