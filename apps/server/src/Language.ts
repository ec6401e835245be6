/**
 * The language of an answer: Chinese unless the request's Accept-Language
 * prefers English (by its q-values), so errors read in the caller's language.
 */
import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"

/** The two languages the API speaks. */
export type Language = "zh" | "en"

/** Picks zh or en from an Accept-Language header; Chinese when neither is asked for. */
export const languageOf = (header: string | undefined): Language => {
  if (header === undefined) return "zh"
  let best: { lang: Language; q: number } | undefined
  for (const part of header.split(",")) {
    const [range = "", ...params] = part.trim().toLowerCase().split(";")
    const q = Number(
      params
        .find((p) => p.trim().startsWith("q="))
        ?.trim()
        .slice(2) ?? "1",
    )
    const lang = range.startsWith("en") ? "en" : range.startsWith("zh") || range === "*" ? "zh" : undefined
    if (lang !== undefined && Number.isFinite(q) && q > 0 && (best === undefined || q > best.q)) best = { lang, q }
  }
  return best?.lang ?? "zh"
}

/** What a problem needs from the request: its language and its path. */
export interface RequestContext {
  readonly lang: Language
  readonly instance: string
}

/** Reads the language and the path of the current request. */
export const requestContext: Effect.Effect<RequestContext, never, HttpServerRequest.HttpServerRequest> = Effect.map(
  Effect.service(HttpServerRequest.HttpServerRequest),
  (request) => contextOf(request),
)

/** The language and the path of a request. */
export const contextOf = (request: HttpServerRequest.HttpServerRequest): RequestContext => ({
  lang: languageOf(request.headers["accept-language"]),
  instance: pathOf(request.url),
})

/** The path of a request URL, without its query. */
export const pathOf = (url: string): string => {
  const at = url.search(/[?#]/)
  return at < 0 ? url : url.slice(0, at)
}
