/** The record: journal pages, accountability, verification, checkpoints, JSON Lines. */
import { Api } from "@liandong/api"
import { accountability, checkpointNow } from "@liandong/engine/audit"
import { journalLines, listCheckpoints, pageJournal, verification } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

const time = (value: string | undefined) => (value === undefined ? undefined : new Date(value))

/** The audit group's handlers. */
export const auditHandlers = HttpApiBuilder.group(Api, "audit", (handlers) =>
  handlers
    .handle("journal", ({ params, query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(
          pageJournal(
            params.campaign,
            actor,
            {
              unit: query.unit,
              actor: query.actor,
              task: query.task,
              since: time(query.since),
              until: time(query.until),
            },
            { limit: query.limit, cursor: query.cursor },
          ),
          "query",
        ),
      ),
    )
    .handle("accountability", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(accountability(params.campaign, actor), "path")),
    )
    .handle("verification", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(verification(params.campaign, actor), "path")),
    )
    .handle("checkpoints", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(listCheckpoints(params.campaign, actor), "path")),
    )
    .handle(
      "checkpoint",
      ({ params, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], null, () =>
            answerChange(checkpointNow(params.campaign, actor), "path"),
          ),
        ),
      { uninterruptible: true },
    )
    .handle("export", ({ params }) =>
      Effect.flatMap(currentActor, (actor) =>
        Effect.map(answer(journalLines(params.campaign, actor), "path"), (lines) =>
          HttpServerResponse.text(lines, {
            contentType: "application/jsonl; charset=utf-8",
            headers: { "content-disposition": `attachment; filename="${params.campaign}-journal.jsonl"` },
          }),
        ),
      ),
    ),
)
