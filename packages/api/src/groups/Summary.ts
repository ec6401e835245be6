/** The consolidated summary (活动总结) or a 简报 issue: Markdown, printable HTML or Word; whole or one level; zh or en. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Key } from "../Common.ts"
import { readProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** The formats of the summary. */
export const SummaryFormat = Schema.Literals(["md", "html", "docx"])

/** The media type of each format. */
export const summaryMediaTypes = {
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
} as const

/** The summary group. Headers: `X-Liandong-Draft: true` until the campaign closes. */
export class SummaryGroup extends HttpApiGroup.make("summary")
  .add(
    HttpApiEndpoint.get("summary", "/campaigns/:campaign/summary", {
      params: { campaign: Key },
      query: {
        format: Schema.optional(SummaryFormat),
        level: Schema.optional(Key),
        lang: Schema.optional(Schema.Literals(["zh", "en"])),
        /** summary (活动总结, default) or brief (简报) */
        form: Schema.optional(Schema.Literals(["summary", "brief"])),
        /** the 简报's 期号, name and compiling office */
        issue: Schema.optional(
          Schema.NumberFromString.pipe(
            Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 9999 }))),
          ),
        ),
        name: Schema.optional(Schema.NonEmptyString.check(Schema.isMaxLength(60))),
        office: Schema.optional(Schema.NonEmptyString.check(Schema.isMaxLength(60))),
      },
      success: [
        Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/markdown" })),
        Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/html" })),
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: summaryMediaTypes.docx })),
      ],
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "summary", description: "活动总结 / the consolidated summary" })) {}
