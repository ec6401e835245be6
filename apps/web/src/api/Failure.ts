/**
 * What a failed call means to the interface: a problem the server answered
 * (status, its sentence, the fields it names), or no answer at all.
 */

/** One field the server found wrong, e.g. `figures.brochures`. */
export interface FieldError {
  readonly path: string
  readonly detail: string
}

/** A failed API call. */
export interface ApiFailure {
  readonly kind: "problem" | "network" | "decode"
  readonly status: number | null
  readonly tag: string | null
  readonly title: string
  readonly detail: string
  readonly fields: ReadonlyArray<FieldError>
  /** why a 401 was answered (e.g. `second-factor-required`), when the server says */
  readonly reason?: string
}

/** True when the value is an ApiFailure. */
export const isFailure = (value: unknown): value is ApiFailure =>
  typeof value === "object" && value !== null && "kind" in value && "fields" in value

const text = (value: unknown): string => (typeof value === "string" ? value : "")

/** Turns whatever a call failed with into an ApiFailure. */
export const toFailure = (cause: unknown): ApiFailure => {
  if (isFailure(cause)) return cause
  const error = cause as {
    _tag?: string
    status?: number
    title?: string
    detail?: string
    errors?: unknown
    reason?: unknown
  }
  if (typeof error?.status === "number" && typeof error._tag === "string") {
    const errors = Array.isArray(error.errors) ? error.errors : []
    return {
      kind: "problem",
      status: error.status,
      tag: error._tag,
      title: text(error.title),
      detail: text(error.detail) || text(error.title),
      fields: errors.map((e: { path?: unknown; detail?: unknown }) => ({ path: text(e.path), detail: text(e.detail) })),
      ...(typeof error.reason === "string" ? { reason: error.reason } : {}),
    }
  }
  if (error?._tag === "HttpClientError") {
    const reason = (error as { reason?: { _tag?: string; response?: { status?: number }; message?: string } }).reason
    const status = reason?.response?.status ?? null
    return {
      kind: status === null ? "network" : "problem",
      status,
      tag: reason?._tag ?? error._tag,
      title: "",
      detail: text(reason?.message),
      fields: [],
    }
  }
  return {
    kind: "decode",
    status: null,
    tag: error?._tag ?? null,
    title: "",
    detail: String((cause as Error)?.message ?? cause),
    fields: [],
  }
}

/** The field errors of a failure keyed by path, with a body path's leading `payload.`/`body.` trimmed. */
export const fieldErrors = (failure: ApiFailure | null): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const f of failure?.fields ?? []) {
    const path = f.path.replace(/^(payload|body)\./, "")
    out[path] = out[path] ? `${out[path]};${f.detail}` : f.detail
  }
  return out
}
