/** Campaigns: list, deploy, one, start, close a phase, status matrix, totals, workbook, machine graphs. */
import { Api, workbookMediaType } from "@liandong/api"
import { closePhase, deploy, requestChange, startCampaign } from "@liandong/engine/commands"
import {
  campaignDetail,
  campaignWorkbook,
  machineGraph,
  pageCampaigns,
  statusMatrix,
  totalsFor,
} from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

/** The campaigns group's handlers. */
export const campaignsHandlers = HttpApiBuilder.group(Api, "campaigns", (handlers) =>
  handlers
    .handle("list", ({ query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(pageCampaigns(actor, { status: query.status }, { limit: query.limit, cursor: query.cursor }), "query"),
      ),
    )
    .handle(
      "deploy",
      ({ payload, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, () => answerChange(deploy(payload, actor), "body")),
        ),
      { uninterruptible: true },
    )
    .handle("get", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(campaignDetail(params.campaign, actor), "path")),
    )
    .handle(
      "start",
      ({ params, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], null, () =>
            answerChange(
              Effect.map(startCampaign(params.campaign, actor), (step) => ({ ...step, replayed: false })),
              "path",
            ),
          ),
        ),
      { uninterruptible: true },
    )
    .handle(
      "closePhase",
      ({ params, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], null, () =>
            answerChange(
              Effect.map(closePhase(params.campaign, params.phase, actor), (step) => ({ ...step, replayed: false })),
              "path",
            ),
          ),
        ),
      { uninterruptible: true },
    )
    .handle(
      "change",
      ({ params, payload, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, () =>
            answerChange(
              Effect.map(
                requestChange(params.campaign, payload.change, payload.reason ?? "", actor, payload.dryRun === true),
                (changed) => ({ ...changed, replayed: false }),
              ),
              "body",
            ),
          ),
        ),
      { uninterruptible: true },
    )
    .handle("status", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(statusMatrix(params.campaign, actor), "path")),
    )
    .handle("totals", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(totalsFor(params.campaign, actor), "path")),
    )
    .handle("workbook", ({ params }) =>
      Effect.flatMap(currentActor, (actor) =>
        Effect.map(answer(campaignWorkbook(params.campaign, actor), "path"), (bytes) =>
          HttpServerResponse.uint8Array(bytes, {
            contentType: workbookMediaType,
            headers: { "content-disposition": `attachment; filename="${params.campaign}.xlsx"` },
          }),
        ),
      ),
    )
    .handle("campaignMachine", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(machineGraph(params.campaign, null, actor), "path")),
    )
    .handle("unitMachine", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(machineGraph(params.campaign, params.unit, actor), "path")),
    ),
)
