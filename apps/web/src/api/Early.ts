/**
 * Answers asked for before anyone reads them (src/Start.ts asks for what the opened
 * address reads first). The first request for one of these addresses within a few seconds
 * takes the answer instead of asking again (`earlyFetch`, `takeEarly`); anything else goes
 * to the network.
 */

/** An address with its query in a fixed order: the client may order a query's fields otherwise. */
const keyOf = (url: string): string => {
  const parsed = new URL(url, window.location.origin)
  parsed.searchParams.sort()
  return `${parsed.pathname}?${parsed.searchParams.toString()}`
}

/** The answers asked for early and not yet taken, by address. */
const early = new Map<string, { readonly at: number; readonly answer: Promise<Response> }>()

/** How long an early answer waits for its reader; an older one is asked for again. */
const freshFor = 10_000

const headers = () => ({
  accept: "application/json",
  "accept-language": globalThis.localStorage?.getItem("liandong.lang") === "en" ? "en" : "zh-CN",
})

/** Addresses a reader asked for itself while the page was starting: asking early again would be a second request. */
const readAlready = new Set<string>()

/**
 * Asks for `url` now, for whoever reads it first, unless a reader already did; the answer
 * is a clone's to peek at, not to read.
 */
export const ask = (url: string, options: { plain?: boolean } = {}): Promise<Response> | undefined => {
  const key = keyOf(url)
  if (readAlready.has(key)) return undefined
  // A plain request (no headers of its own) is the one index.html preloads, so it takes that answer.
  const answer = fetch(url, { credentials: "same-origin", ...(options.plain ? {} : { headers: headers() }) })
  early.set(key, { at: performance.now(), answer })
  return answer
}

/** The early answer for a GET of `url`, once; undefined when there is none (or it is stale). */
export const takeEarly = (url: string): Promise<Response> | undefined => {
  const key = keyOf(url)
  const found = early.get(key)
  if (found === undefined) {
    if (performance.now() < freshFor) readAlready.add(key)
    return undefined
  }
  early.delete(key)
  if (performance.now() - found.at > freshFor) return undefined
  // A failed early request is made again, as the reader would have made it.
  return found.answer.catch(() => fetch(url, { credentials: "same-origin", headers: headers() }))
}

/** `fetch` for the API client: a GET takes its early answer when there is one. */
export const earlyFetch: typeof fetch = (input, init) => {
  const method = init?.method ?? (input instanceof Request ? input.method : "GET")
  if (method.toUpperCase() === "GET") {
    const url = input instanceof Request ? input.url : String(input)
    const answer = takeEarly(url)
    if (answer !== undefined) return answer
  }
  return fetch(input, init)
}

/**
 * The early answer's JSON for a look before the client is there to decode it: the value
 * as the server sent it, or undefined (none asked for, not yet taken, or not a success).
 * The answer stays for the client, which decodes it with the contract's Schemas.
 */
export const peekJson = (url: string): Promise<unknown> | undefined => {
  const found = early.get(keyOf(url))
  if (found === undefined || performance.now() - found.at > freshFor) return undefined
  return found.answer.then((answer) => (answer.ok ? answer.clone().json() : undefined)).catch(() => undefined)
}
