/**
 * The report form, generated from the task's figure and narrative
 * definitions: labels with measure words, bounds and kind checked in the
 * browser by the engine's own rules, the server's field errors shown next to
 * their fields, a draft kept in this browser, files (佐证材料) uploaded as they are
 * chosen and named in the report, submit.
 */
import type { AttachmentItem, ReportItem, TaskItem } from "@liandong/api"
import { type FormEvent, useId, useRef, useState } from "react"
import { type ApiFailure, fieldErrors } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { useFailureText } from "../../components/Problem.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"
import { checkReport } from "./Check.ts"
import { type Draft, dropDraft, loadDraft, saveDraft } from "./Draft.ts"
import { FileList } from "./ReportCard.tsx"

type Values = { figures: Record<string, string>; narrative: Record<string, string> }

const initialValues = (task: TaskItem, draft: Draft | null, previous: ReportItem | undefined): Values => ({
  figures: Object.fromEntries(
    task.figures.map((f) => [f.key, draft?.figures[f.key] ?? previous?.figures[f.key] ?? ""]),
  ),
  narrative: Object.fromEntries(
    task.narrative.map((n) => [n.key, draft?.narrative[n.key] ?? previous?.narrative[n.key] ?? ""]),
  ),
})

/** The form; `previous` (the last returned report) pre-fills a resubmission. */
export const ReportForm = ({
  task,
  previous,
  onSubmitted,
}: {
  readonly task: TaskItem
  readonly previous: ReportItem | undefined
  readonly onSubmitted: () => void
}) => {
  const { t, lang, pick } = useI18n()
  const { api, principal } = useSession()
  const failureText = useFailureText()
  const id = useId()
  const owner = principal?.id ?? "anonymous"
  const [draft, setDraft] = useState(() => loadDraft(owner, task.ref))
  const [restored] = useState(() => draft !== null)
  const [values, setValues] = useState<Values>(() => initialValues(task, draft, previous))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [busy, setBusy] = useState(false)
  const [summary, setSummary] = useState<string | null>(null)
  const key = useRef<string | null>(null)
  const form = useRef<HTMLFormElement>(null)
  // A resubmission starts with the returned report's files; the unit may remove them.
  const [files, setFiles] = useState<ReadonlyArray<AttachmentItem>>(() => previous?.attachments ?? [])
  const [uploading, setUploading] = useState<string | null>(null)
  const [fileStatus, setFileStatus] = useState("")
  const picker = useRef<HTMLInputElement>(null)

  const onChoose = async (chosen: ReadonlyArray<File>) => {
    setErrors((old) => {
      const kept = { ...old }
      delete kept.attachments
      return kept
    })
    const problems: string[] = []
    for (const file of chosen) {
      setUploading(file.name)
      setFileStatus(t.files.uploading(file.name))
      try {
        const uploaded = await api.upload(task, file)
        setFiles((old) => [...old, uploaded])
        setFileStatus(t.files.uploaded(file.name))
        key.current = null
      } catch (cause) {
        const f = cause as ApiFailure
        problems.push(t.files.failed(file.name, f.fields[0]?.detail ?? (f.detail || failureText(f))))
      }
    }
    setUploading(null)
    if (picker.current) picker.current.value = ""
    if (problems.length > 0) {
      setErrors((old) => ({ ...old, attachments: problems.join(lang === "en" ? "; " : "；") }))
      setFileStatus("")
    }
  }
  const onRemove = (file: AttachmentItem) => {
    setFiles((old) => old.filter((f) => f.id !== file.id))
    setFileStatus(t.files.removed(file.name))
    key.current = null
    picker.current?.focus()
  }

  // Fields are checked on submit; a field already marked is checked again as it is corrected.
  // (Checking on blur would move the buttons under the pointer between press and release.)
  const set = (part: "figures" | "narrative", field: string, value: string) => {
    const next = { ...values, [part]: { ...values[part], [field]: value } }
    setValues(next)
    key.current = null
    const path = `${part}.${field}`
    if (errors[path] !== undefined) {
      const found = checkReport(task, next, lang)
      setErrors((old) => {
        const kept = { ...old }
        if (found[path]) kept[path] = found[path]
        else delete kept[path]
        return kept
      })
    }
  }
  const focusFirst = (paths: ReadonlyArray<string>) => {
    const first = [
      ...task.figures.map((f) => `figures.${f.key}`),
      ...task.narrative.map((n) => `narrative.${n.key}`),
    ].find((p) => paths.includes(p))
    if (first) form.current?.querySelector<HTMLElement>(`[data-path="${first}"]`)?.focus()
  }
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    setFailure(null)
    const found = checkReport(task, values, lang)
    setErrors(found)
    if (Object.keys(found).length > 0) {
      setSummary(t.form.fixErrors(Object.keys(found).length))
      focusFirst(Object.keys(found))
      return
    }
    setSummary(null)
    setBusy(true)
    key.current ??= newKey()
    try {
      const figures = Object.fromEntries(Object.entries(values.figures).filter(([, v]) => v.trim() !== ""))
      const narrative = Object.fromEntries(Object.entries(values.narrative).filter(([, v]) => v.trim() !== ""))
      await api.run((client) =>
        client.tasks.submitReport({
          params: { campaign: task.campaign, unit: task.unit, task: task.task },
          headers: { "idempotency-key": key.current ?? undefined },
          payload: { figures, narrative, attachments: files.map((f) => f.id) },
        }),
      )
      dropDraft(owner, task.ref)
      key.current = null
      onSubmitted()
    } catch (cause) {
      const f = cause as ApiFailure
      const server = fieldErrors(f)
      setFailure(f)
      setErrors(server)
      if (Object.keys(server).length > 0) {
        setSummary(t.form.fixErrors(Object.keys(server).length))
        focusFirst(Object.keys(server))
      }
    } finally {
      setBusy(false)
    }
  }
  const onSaveDraft = () => setDraft(saveDraft(owner, task.ref, values))
  const onDiscard = () => {
    dropDraft(owner, task.ref)
    setDraft(null)
    setValues(initialValues(task, null, previous))
    setErrors({})
  }

  const describedBy = (path: string, hint: string) => `${hint}${errors[path] ? ` ${hint}-error` : ""}`
  return (
    <form
      ref={form}
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${id}-h`}
      className="panel"
      data-testid="report-form"
    >
      <h2 id={`${id}-h`}>{t.form.heading(pick(task.title))}</h2>
      <p className="notice info">{t.form.draftNote}</p>
      {restored && draft ? <p className="notice info">{t.form.draftRestored}</p> : null}
      {summary ? (
        <div className="notice bad" role="alert" data-testid="form-summary">
          {summary}
        </div>
      ) : null}
      {failure && Object.keys(fieldErrors(failure)).length === 0 ? (
        <div className="notice bad" role="alert">
          {failureText(failure)}
        </div>
      ) : null}
      {task.figures.length > 0 ? (
        <fieldset>
          <legend>{t.form.figures}</legend>
          {task.figures.map((figure) => {
            const path = `figures.${figure.key}`
            const input = `${id}-f-${figure.key}`
            const hint = `${input}-hint`
            const bounds = t.form.bounds(String(figure.min), figure.max === null ? null : String(figure.max))
            const kind = figure.kind === "integer" ? t.form.integer : t.form.decimal(figure.scale)
            return (
              <div className="field" key={figure.key} data-invalid={errors[path] ? "true" : undefined}>
                <label htmlFor={input}>
                  {pick(figure.label)}
                  {figure.required ? null : (
                    <span className="muted">
                      {t.open}
                      {t.form.optional}
                      {t.close}
                    </span>
                  )}
                </label>
                <div className="with-measure">
                  <input
                    id={input}
                    name={path}
                    data-path={path}
                    type="text"
                    inputMode={figure.kind === "integer" ? "numeric" : "decimal"}
                    autoComplete="off"
                    value={values.figures[figure.key] ?? ""}
                    onChange={(e) => set("figures", figure.key, e.target.value)}
                    aria-invalid={errors[path] ? true : undefined}
                    aria-describedby={describedBy(path, hint)}
                    aria-required={figure.required}
                  />
                  <span aria-hidden="true">{figure.measure}</span>
                </div>
                <span id={hint} className="hint">
                  {figure.measure} · {kind} · {bounds}
                  {figure.required ? ` · ${t.form.required}` : ""}
                </span>
                {errors[path] ? (
                  <span id={`${hint}-error`} className="field-error" data-error-for={path}>
                    {errors[path]}
                  </span>
                ) : null}
              </div>
            )
          })}
        </fieldset>
      ) : null}
      {task.narrative.length > 0 ? (
        <fieldset>
          <legend>{t.form.narrative}</legend>
          {task.narrative.map((field) => {
            const path = `narrative.${field.key}`
            const input = `${id}-n-${field.key}`
            const hint = `${input}-hint`
            return (
              <div className="field" key={field.key} data-invalid={errors[path] ? "true" : undefined}>
                <label htmlFor={input}>
                  {pick(field.label)}
                  {field.required ? null : (
                    <span className="muted">
                      {t.open}
                      {t.form.optional}
                      {t.close}
                    </span>
                  )}
                </label>
                <textarea
                  id={input}
                  name={path}
                  data-path={path}
                  value={values.narrative[field.key] ?? ""}
                  onChange={(e) => set("narrative", field.key, e.target.value)}
                  aria-invalid={errors[path] ? true : undefined}
                  aria-describedby={describedBy(path, hint)}
                  aria-required={field.required}
                />
                <span id={hint} className="hint">
                  {t.form.maxLength(field.maxLength)}
                  {field.required ? ` · ${t.form.required}` : ""} · {(values.narrative[field.key] ?? "").length}/
                  {field.maxLength}
                </span>
                {errors[path] ? (
                  <span id={`${hint}-error`} className="field-error" data-error-for={path}>
                    {errors[path]}
                  </span>
                ) : null}
              </div>
            )
          })}
        </fieldset>
      ) : null}
      <fieldset data-testid="evidence">
        <legend>{t.files.legend}</legend>
        <div className="field" data-invalid={errors.attachments ? "true" : undefined}>
          <label htmlFor={`${id}-files`}>
            {t.files.choose}
            <span className="muted">
              {t.open}
              {t.form.optional}
              {t.close}
            </span>
          </label>
          <input
            ref={picker}
            id={`${id}-files`}
            type="file"
            multiple
            data-path="attachments"
            accept=".jpg,.jpeg,.png,.webp,.pdf,.doc,.docx,.xls,.xlsx,.wps,.et,.dps"
            disabled={uploading !== null}
            onChange={(e) => void onChoose([...(e.target.files ?? [])])}
            aria-invalid={errors.attachments ? true : undefined}
            aria-describedby={describedBy("attachments", `${id}-files-hint`)}
          />
          <span id={`${id}-files-hint`} className="hint">
            {t.files.hint}
          </span>
          {errors.attachments ? (
            <span id={`${id}-files-hint-error`} className="field-error" data-error-for="attachments">
              {errors.attachments}
            </span>
          ) : null}
          <FileList files={files} onRemove={onRemove} />
          <p role="status" className="muted" data-testid="file-status">
            {fileStatus}
          </p>
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || uploading !== null}>
          {busy ? t.form.submitting : t.form.submit}
        </button>
        <button type="button" onClick={onSaveDraft}>
          {t.form.saveDraft}
        </button>
        {draft ? (
          <button type="button" className="danger" onClick={onDiscard}>
            {t.form.discardDraft}
          </button>
        ) : null}
      </div>
      <p role="status" className="muted" data-testid="draft-status">
        {draft ? t.form.draftSaved(formatDateTime(draft.savedAt, lang)) : ""}
      </p>
    </form>
  )
}
