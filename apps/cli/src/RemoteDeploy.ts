/**
 * `liandong deploy <file> --server <url> --token <bearer>`: deploys to a running Liandong over
 * its HTTP API — `POST /api/v1/campaigns` with the definition as JSON, an Idempotency-Key (the
 * same on a retry after a lost connection, so the deploy happens once) — and answers what a
 * local deploy answers. A refusal is said in Chinese and English: the server words its problems
 * in the request's language, so a refusal that changed nothing is asked again in English.
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"

/** What the API's deploy answers (packages/api's `Deployed`). */
export interface RemoteDeployed {
  readonly campaign: string
  readonly version: number
  readonly hash: string
  readonly units: number
  readonly unchanged: boolean
  readonly warnings: ReadonlyArray<{ readonly path: string; readonly zh: string; readonly en: string }>
}

/** The API's base: `https://host` and `https://host/api/v1` name the same one. */
export const apiBase = (server: string): string => {
  const trimmed = server.trim().replace(/\/+$/u, "")
  return trimmed.endsWith("/api/v1") ? trimmed : `${trimmed}/api/v1`
}

interface Problem {
  readonly status?: number
  readonly title?: string
  readonly detail?: string
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly detail: string }>
}

// Refusals that change nothing and journal nothing: asking again, in English, is harmless.
// (A 403 is journaled as a denied attempt: it is not asked twice.)
const askedAgain = new Set([400, 401, 404, 409, 413, 415, 422])

const attempt = (url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(60_000) })

/** The words of one side of a problem: its title's half, its detail, each bad field. */
const words = (problem: Problem, half: 0 | 1) => {
  const title = (problem.title ?? "").split(" / ")[half] ?? problem.title ?? ""
  const fields = (problem.errors ?? [])
    .filter((each) => !(problem.detail ?? "").includes(each.path))
    .map((each) => `${each.path}: ${each.detail}`)
  return [title, [problem.detail, ...fields].filter((part) => part !== undefined && part !== "").join("; ")]
    .filter((part) => part !== "")
    .join(": ")
}

const parse = async (response: Response): Promise<Problem> => {
  const text = await response.text()
  try {
    return JSON.parse(text) as Problem
  } catch {
    return { status: response.status, detail: text.slice(0, 200) }
  }
}

/** Deploys `definition` to the server; fails with one bilingual message when it cannot. */
export const deployRemote = (
  definition: unknown,
  options: { readonly server: string; readonly token: string; readonly key?: string | undefined },
) =>
  Effect.tryPromise({
    try: async (): Promise<RemoteDeployed> => {
      const url = `${apiBase(options.server)}/campaigns`
      const body = JSON.stringify(definition)
      const headers = (lang: string) => ({
        authorization: `Bearer ${options.token}`,
        "content-type": "application/json",
        accept: "application/json, application/problem+json",
        "accept-language": lang,
        "idempotency-key": options.key ?? `deploy-${randomUUID()}`,
      })
      const zhHeaders = headers("zh-CN")
      let response: Response | undefined
      let lastError: unknown
      for (let tries = 0; tries < 3; tries++) {
        if (tries > 0) await new Promise((resume) => setTimeout(resume, 1000 * tries))
        try {
          response = await attempt(url, { method: "POST", headers: zhHeaders, body })
          if (response.status !== 503) break
        } catch (error) {
          lastError = error
          response = undefined
        }
      }
      if (response === undefined) {
        const cause = String((lastError as { cause?: unknown })?.cause ?? lastError)
        throw { zh: `无法连接服务器 ${url}:${cause}`, en: `cannot reach the server ${url}: ${cause}` }
      }
      if (response.ok) return (await response.json()) as RemoteDeployed
      const zh = await parse(response)
      const status = response.status
      let en: Problem = zh
      if (askedAgain.has(status)) {
        try {
          const again = await attempt(url, { method: "POST", headers: headers("en"), body })
          if (again.status === status) en = await parse(again)
        } catch {}
      }
      throw {
        status,
        zh: `服务器拒绝部署(HTTP ${status}) ${words(zh, 0)}`,
        en: `the server refused the deploy (HTTP ${status}) ${words(en, 1)}`,
      }
    },
    catch: (error) =>
      typeof error === "object" && error !== null && "zh" in error
        ? (error as { zh: string; en: string })
        : { zh: `部署请求失败:${String(error)}`, en: `the deploy request failed: ${String(error)}` },
  })
