/**
 * The server's settings, from the environment (each decoded with Schema, so a
 * wrong value stops the server with the variable's name and why).
 */
import { issueProblems } from "@liandong/workflow"
import { Schema } from "effect"
import type { RateLimitOptions } from "./RateLimit.ts"
import type { RequestExpiryOptions } from "./RequestExpiry.ts"
import { webDistFromEnv } from "./WebUi.ts"

/** How the server runs. */
export interface ServerConfig {
  readonly host: string
  readonly port: number
  /** the largest request body accepted, in bytes */
  readonly bodyLimit: number
  /** the largest file uploaded as a report's evidence (佐证材料), in bytes (default 20 MB) */
  readonly attachmentLimit?: number | undefined
  readonly rateLimit: RateLimitOptions
  /** the built web UI's folder, or null when there is none */
  readonly webDist: string | null
  /** whether this process also runs the worker */
  readonly worker: boolean
  /** how often the live hub looks for changes of the campaigns being watched, in milliseconds */
  readonly livePollMs: number
  /** the most event streams one token may hold open at once (default 10) */
  readonly streamsPerToken?: number | undefined
  /** how long HTTP requests' idempotency records are kept, and how they are swept */
  readonly requestExpiry: RequestExpiryOptions
  /** how the session cookie is marked Secure, and whether a proxy's X-Forwarded-Proto is believed */
  readonly sessions?: SessionSettings | undefined
}

/**
 * The session cookie's Secure flag: `auto` when the request came over HTTPS, `always`, or
 * `never`; `trustProxy` believes `X-Forwarded-Proto` (only behind a proxy that sets it).
 */
export interface SessionSettings {
  readonly cookieSecure: "auto" | "always" | "never"
  readonly trustProxy: boolean
}

const IntFromText = (minimum: number, maximum: number) =>
  Schema.NumberFromString.check(
    Schema.isInt({ message: "须为整数 / must be a whole number" }),
    Schema.isBetween(
      { minimum, maximum },
      { message: `须在 ${minimum} 到 ${maximum} 之间 / must be ${minimum} to ${maximum}` },
    ),
  )

const Env = Schema.Struct({
  PORT: Schema.optional(IntFromText(0, 65_535)),
  HOST: Schema.optional(Schema.NonEmptyString),
  LIANDONG_BODY_LIMIT: Schema.optional(IntFromText(1024, 100 * 1024 * 1024)),
  LIANDONG_ATTACHMENT_MAX_BYTES: Schema.optional(IntFromText(1024, 1024 * 1024 * 1024)),
  LIANDONG_RATE_LIMIT: Schema.optional(IntFromText(1, 1_000_000)),
  LIANDONG_RATE_BURST: Schema.optional(IntFromText(1, 1_000_000)),
  LIANDONG_AUTH_FAILURE_LIMIT: Schema.optional(IntFromText(1, 1_000_000)),
  LIANDONG_AUTH_FAILURE_BURST: Schema.optional(IntFromText(1, 1_000_000)),
  LIANDONG_WORKER: Schema.optional(Schema.Literals(["inline", "off"])),
  LIANDONG_LIVE_POLL_MS: Schema.optional(IntFromText(50, 60_000)),
  LIANDONG_STREAMS_PER_TOKEN: Schema.optional(IntFromText(1, 1000)),
  LIANDONG_IDEMPOTENCY_RETENTION_DAYS: Schema.optional(IntFromText(1, 3650)),
  LIANDONG_COOKIE_SECURE: Schema.optional(Schema.Literals(["auto", "always", "never"])),
  LIANDONG_TRUST_PROXY: Schema.optional(Schema.Literals(["0", "1"])),
})

/**
 * The defaults: 127.0.0.1:8426, 1 MiB bodies (20 MB for an uploaded file), 600 requests a minute per principal (and per
 * address without a token) with bursts of 120, 30 failed authentications a minute per address
 * with bursts of 20, live look-ups every second, request records kept 7 days and swept hourly, 1000 at a time.
 */
export const defaults = {
  host: "127.0.0.1",
  port: 8426,
  bodyLimit: 1024 * 1024,
  attachmentLimit: 20 * 1024 * 1024,
  perMinute: 600,
  burst: 120,
  failuresPerMinute: 30,
  failureBurst: 20,
  livePollMs: 1000,
  streamsPerToken: 10,
  requestRetentionDays: 7,
  requestSweepMs: 60 * 60 * 1000,
  requestSweepBatch: 1000,
} as const

/** Reads the settings from the environment, or throws naming each bad variable. */
export const configFromEnv = (env: NodeJS.ProcessEnv = process.env): ServerConfig => {
  const picked = Object.fromEntries(Object.keys(Env.fields).flatMap((key) => (env[key] ? [[key, env[key]]] : [])))
  const decoded = Schema.decodeUnknownExit(Env)(picked, { errors: "all" })
  if (decoded._tag === "Failure") {
    const failure = decoded.cause.reasons.find((r) => r._tag === "Fail")
    const problems =
      failure !== undefined && Schema.isSchemaError(failure.error) ? issueProblems(failure.error.issue) : []
    throw new Error(`环境变量有误 / bad environment: ${problems.map((p) => `${p.path}: ${p.zh} / ${p.en}`).join("; ")}`)
  }
  const value = decoded.value
  return {
    host: value.HOST ?? defaults.host,
    port: value.PORT ?? defaults.port,
    bodyLimit: value.LIANDONG_BODY_LIMIT ?? defaults.bodyLimit,
    attachmentLimit: value.LIANDONG_ATTACHMENT_MAX_BYTES ?? defaults.attachmentLimit,
    rateLimit: {
      perMinute: value.LIANDONG_RATE_LIMIT ?? defaults.perMinute,
      burst: value.LIANDONG_RATE_BURST ?? defaults.burst,
      failures: {
        perMinute: value.LIANDONG_AUTH_FAILURE_LIMIT ?? defaults.failuresPerMinute,
        burst: value.LIANDONG_AUTH_FAILURE_BURST ?? defaults.failureBurst,
      },
    },
    webDist: webDistFromEnv(env),
    worker: (value.LIANDONG_WORKER ?? "inline") === "inline",
    livePollMs: value.LIANDONG_LIVE_POLL_MS ?? defaults.livePollMs,
    streamsPerToken: value.LIANDONG_STREAMS_PER_TOKEN ?? defaults.streamsPerToken,
    requestExpiry: {
      retentionSeconds: (value.LIANDONG_IDEMPOTENCY_RETENTION_DAYS ?? defaults.requestRetentionDays) * 86_400,
      everyMs: defaults.requestSweepMs,
      batch: defaults.requestSweepBatch,
    },
    sessions: {
      cookieSecure: value.LIANDONG_COOKIE_SECURE ?? "auto",
      trustProxy: value.LIANDONG_TRUST_PROXY === "1",
    },
  }
}
