/**
 * infra/docker-compose.yml, read as Compose reads it (anchors and merge keys resolved), with no
 * engine: no password in the environment or in a URL, every secret a service uses declared and
 * mounted, every pulled image pinned by digest, health checks on /healthz.
 */
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { CORE_SCHEMA, load, mergeTag } from "js-yaml"
import { beforeAll, describe, expect, it } from "vitest"

interface Service {
  readonly image?: string
  readonly build?: unknown
  readonly command?: string[]
  readonly environment?: Record<string, string>
  readonly secrets?: string[]
  readonly healthcheck?: { readonly test?: string[]; readonly disable?: boolean }
}

interface Compose {
  readonly services: Record<string, Service>
  readonly secrets?: Record<string, { readonly file?: string }>
}

let compose: Compose

beforeAll(async () => {
  const text = await readFile(fileURLToPath(new URL("../../infra/docker-compose.yml", import.meta.url)), "utf8")
  // Compose files use YAML 1.1's merge keys (`<<: *liandong`), which the YAML 1.2 core schema leaves out.
  compose = load(text, { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose
})

const services = () => Object.entries(compose.services)

describe("the compose file's secrets", () => {
  it("puts no password or key into the environment: each is a file under /run/secrets", () => {
    const found: string[] = []
    for (const [name, service] of services()) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN/u.test(variable) && !variable.endsWith("_FILE")) found.push(`${name} ${variable}`)
        if (variable.endsWith("_FILE") && !String(value).startsWith("/run/secrets/")) found.push(`${name} ${variable}`)
        // Compose would paste a host variable in: a secret would end up in the container's environment.
        if (String(value).includes("${")) found.push(`${name} ${variable} interpolates`)
      }
    }
    expect(found).toEqual([])
  })

  it("gives no service a database URL with a password in it", () => {
    for (const [name, service] of services()) {
      const url = service.environment?.DATABASE_URL
      if (url) expect(new URL(url).password, name).toBe("")
    }
  })

  it("declares every secret a service mounts, each a file under infra/secrets/", () => {
    const declared = compose.secrets ?? {}
    for (const [name, service] of services()) {
      for (const secret of service.secrets ?? []) {
        expect(declared[secret], `${name} mounts ${secret}`).toBeDefined()
      }
    }
    for (const [secret, { file }] of Object.entries(declared)) {
      expect(file, secret).toMatch(/^\.\/secrets\/[\w.-]+$/u)
    }
  })

  it("mounts in each service the secret files its environment names", () => {
    const missing: string[] = []
    for (const [name, service] of services()) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        const secret = /^\/run\/secrets\/(.+)$/u.exec(String(value))?.[1]
        // The migrate service names the key's path (inherited) but is given no key: it signs nothing.
        if (secret === undefined || (name === "migrate" && variable === "LIANDONG_KEY")) continue
        if (!(service.secrets ?? []).includes(secret)) missing.push(`${name} ${variable} → ${secret}`)
      }
    }
    expect(missing).toEqual([])
  })

  it("reads the database settings from separate variables: the app role on servers and workers, the owner for migrations", () => {
    const { server, worker, migrate, postgres } = compose.services
    for (const service of [server, worker]) {
      expect(service?.environment).toMatchObject({
        DATABASE_HOST: "postgres",
        DATABASE_USER: "liandong_app",
        DATABASE_PASSWORD_FILE: "/run/secrets/app_password",
        LIANDONG_KEY: "/run/secrets/checkpoint_key",
      })
      expect(service?.secrets).toEqual(expect.arrayContaining(["app_password", "checkpoint_key"]))
    }
    expect(migrate?.environment).toMatchObject({
      DATABASE_USER: "liandong_owner",
      DATABASE_PASSWORD_FILE: "/run/secrets/owner_password",
    })
    expect(migrate?.secrets).toEqual(["owner_password"])
    expect(postgres?.environment).toMatchObject({
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password",
      LIANDONG_OWNER_PASSWORD_FILE: "/run/secrets/owner_password",
      LIANDONG_APP_PASSWORD_FILE: "/run/secrets/app_password",
    })
  })
})

describe("the compose file's images and processes", () => {
  it("pins every image it pulls by digest; the one it builds is the repository's", () => {
    for (const [name, service] of services()) {
      if (service.build !== undefined) continue
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/u)
    }
  })

  it("checks the server's liveness on /healthz, never /readyz, and the others not at all over HTTP", () => {
    const { server, worker, migrate } = compose.services
    expect(server?.healthcheck?.test?.join(" ")).toContain("/healthz")
    for (const [name, service] of services()) {
      expect(service.healthcheck?.test?.join(" ") ?? "", name).not.toContain("/readyz")
    }
    expect(worker?.healthcheck?.disable).toBe(true)
    expect(migrate?.healthcheck?.disable).toBe(true)
  })

  it("runs the worker apart from the server, on PostgreSQL", () => {
    const { server, worker } = compose.services
    expect(server?.command).toEqual(["server"])
    expect(server?.environment?.LIANDONG_WORKER).toBe("off")
    expect(worker?.command).toEqual(["worker"])
  })
})
