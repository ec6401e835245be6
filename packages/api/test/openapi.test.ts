/**
 * The contract's OpenAPI 3.1 document: valid for a standard validator
 * (@apidevtools/swagger-parser: the OpenAPI 3.1 schema, resolvable references),
 * every path parameter declared, and true to the API's conventions.
 */
import SwaggerParser from "@apidevtools/swagger-parser"
import { OpenApi } from "effect/http-api"
import { describe, expect, it } from "vitest"
import { Api } from "../src/index.ts"

const document = OpenApi.fromApi(Api) as any
const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ path, method, op })),
)

/** The routes one calls before holding a session. */
const unauthenticated = new Set(["post /api/v1/session", "post /api/v1/invitations/accept"])

/** POSTs whose request or answer holds a secret: no idempotency record may keep them. */
const holdsSecrets = new Set([
  "/api/v1/session",
  "/api/v1/invitations/accept",
  "/api/v1/sessions/sign-out-everywhere",
  "/api/v1/password",
  "/api/v1/people",
  "/api/v1/people/{id}/reset",
])

// POSTs without an Idempotency-Key, each with the reason it needs none.
const notKeyed: Readonly<Record<string, string>> = {
  // The body is a file, not JSON an idempotency record could replay: sent again, its bytes are
  // stored once (keyed by SHA-256) and the extra upload is never named by a report, so unused.
  "/api/v1/campaigns/{campaign}/units/{unit}/tasks/{task}/attachments": "a file upload is safe to send again",
}

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    expect(document.openapi).toMatch(/^3\.1\./)
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined()
  })

  it("puts every route but health and readiness under /api/v1, behind a bearer token", () => {
    for (const { path, method, op } of operations) {
      if (path === "/healthz" || path === "/readyz") {
        expect(op.security ?? [], `${method} ${path}`).toEqual([])
        continue
      }
      expect(path, `${method} ${path}`).toMatch(/^\/api\/v1\//)
      // Signing in and accepting an invitation are how one comes to hold a session at all.
      if (unauthenticated.has(`${method} ${path}`)) {
        expect(op.security ?? [], `${method} ${path}`).toEqual([])
        continue
      }
      expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }])
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining(["400", "401", "404", "429", "500", "503"]),
      )
    }
    expect(document.components.securitySchemes.bearer.type).toBe("http")
    expect(document.components.securitySchemes.bearer.scheme.toLowerCase()).toBe("bearer")
  })

  it("takes an Idempotency-Key on every POST, and documents its conflicts", () => {
    // The account's and people's writes carry or answer secrets (passwords, session secrets,
    // invitation tokens), which an idempotency record would keep; they are safe to send again.
    const posts = operations.filter(
      (o) => o.method === "post" && !holdsSecrets.has(o.path) && !Object.hasOwn(notKeyed, o.path),
    )
    expect(posts.length).toBeGreaterThan(5)
    for (const { path, op } of posts) {
      expect(
        op.parameters.map((p: any) => `${p.in}:${p.name}`),
        path,
      ).toContain("header:idempotency-key")
      expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(["403", "409", "413", "422"]))
    }
  })

  it("answers every error as application/problem+json", () => {
    for (const { path, method, op } of operations) {
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue
        expect(Object.keys(response.content), `${method} ${path} ${status}`).toEqual(["application/problem+json"])
      }
    }
  })

  it("declares every parameter its path names", () => {
    for (const { path, method, op } of operations) {
      const named = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      const declared = (op.parameters ?? []).filter((p: any) => p.in === "path")
      expect(declared.map((p: any) => p.name).sort(), `${method} ${path}`).toEqual(named)
      for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).toBe(true)
    }
  })

  it("gives every operation a unique id", () => {
    const ids = operations.map((o) => o.op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
