/**
 * 佐证材料: a unit uploads a file for its own task before submitting the report that names
 * it. The body is read to its end under a size limit (refused as soon as it passes it),
 * hashed, and its type sniffed from the content: it must be what its name says. Only then
 * is anything written, in one transaction — the bytes once per SHA-256, and the upload.
 * An interrupted or refused upload leaves nothing behind.
 */
import { createHash } from "node:crypto"
import { Effect, Schema, Stream } from "effect"
import { fileTypeFromBuffer } from "file-type"
import type { Actor } from "../Actor.ts"
import { query, transaction } from "../Db.ts"
import { InvalidInput, TooLarge } from "../Errors.ts"
import { decode } from "../Refs.ts"
import { insertAttachment } from "../sql/Attachments.ts"
import { nowIso, requireOwnTask, resolveTask } from "./Common.ts"

/** The default largest file accepted: 20 MB (LIANDONG_ATTACHMENT_MAX_BYTES changes it). */
export const defaultAttachmentMaxBytes = 20 * 1024 * 1024

/** The most files one report may name. */
export const attachmentsPerReport = 50

/**
 * What may be attached, by the name's extension: the MIME type stored and answered, and the
 * types `file-type` may find in such a file's content. Word, Excel and WPS files of the old
 * binary formats are OLE compound files (`cfb`): the sniffer cannot tell them apart, so the
 * name decides among them; the zipped Office formats are told apart by their content.
 */
export const acceptedTypes: Readonly<
  Record<string, { readonly mime: string; readonly sniffed: ReadonlyArray<string> }>
> = {
  jpg: { mime: "image/jpeg", sniffed: ["jpg"] },
  jpeg: { mime: "image/jpeg", sniffed: ["jpg"] },
  png: { mime: "image/png", sniffed: ["png"] },
  webp: { mime: "image/webp", sniffed: ["webp"] },
  pdf: { mime: "application/pdf", sniffed: ["pdf"] },
  docx: { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sniffed: ["docx"] },
  xlsx: { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sniffed: ["xlsx"] },
  doc: { mime: "application/msword", sniffed: ["cfb"] },
  xls: { mime: "application/vnd.ms-excel", sniffed: ["cfb"] },
  // WPS Office: 文字 (.wps), 表格 (.et), 演示 (.dps); recent versions also write the zipped formats.
  wps: { mime: "application/wps-office.wps", sniffed: ["cfb", "docx"] },
  et: { mime: "application/wps-office.et", sniffed: ["cfb", "xlsx"] },
  dps: { mime: "application/wps-office.dps", sniffed: ["cfb", "pptx"] },
}

const extensionOf = (name: string) => /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase()

/** A file name as given: one path segment, no control characters. */
export const AttachmentName = Schema.String.check(
  Schema.isMinLength(1, { message: "文件名不能为空 / the file name is empty" }),
  Schema.isMaxLength(255, { message: "文件名不能超过 255 个字符 / the file name is longer than 255 characters" }),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  Schema.isPattern(/^[^/\\\u0000-\u001f\u007f]+$/, {
    message: "文件名不能含路径分隔符或控制字符 / the file name may not hold a path separator or control character",
  }),
)

/** An upload, as the API answers it. */
export interface Attachment {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly size: number
  readonly sha256: string
}

const badFile = (path: string, zh: string, en: string) => new InvalidInput({ problems: [{ path, zh, en }] })

/** Reads a body whole, failing with TooLarge as soon as it passes `maxBytes`. */
const readLimited = <E>(body: Stream.Stream<Uint8Array, E>, maxBytes: number) =>
  Effect.gen(function* () {
    const chunks: Uint8Array[] = []
    let total = 0
    yield* Stream.runForEach(body, (chunk) => {
      total += chunk.length
      if (total > maxBytes) return Effect.fail(new TooLarge({ limit: maxBytes }))
      chunks.push(chunk)
      return Effect.void
    })
    return Buffer.concat(chunks, total)
  })

/**
 * Uploads a file for `<campaign>/<unit>/<task>` (its own unit only): `name` is the file's
 * name, `body` its bytes as they arrive. Answers the upload; a report names it by its id.
 */
export const uploadAttachment = <E>(
  ref: unknown,
  name: unknown,
  body: Stream.Stream<Uint8Array, E>,
  actor: Actor,
  options: { readonly maxBytes?: number; readonly field?: string } = {},
) =>
  Effect.gen(function* () {
    const maxBytes = options.maxBytes ?? defaultAttachmentMaxBytes
    const field = options.field ?? "name"
    const { address } = yield* resolveTask(ref, actor, "attach", false)
    yield* requireOwnTask(actor, address, "attach")
    const fileName = (yield* decode(AttachmentName, name).pipe(
      Effect.mapError((e) => new InvalidInput({ problems: e.problems.map((p) => ({ ...p, path: field })) })),
    )).normalize("NFC")
    const extension = extensionOf(fileName)
    const accepted = extension === undefined ? undefined : acceptedTypes[extension]
    if (accepted === undefined)
      return yield* badFile(
        field,
        `不接受此类文件“${fileName}”:只接受图片(JPEG、PNG、WebP)、PDF、Word、Excel 和 WPS 文档`,
        `files like "${fileName}" are not accepted: only images (JPEG, PNG, WebP), PDF, Word, Excel and WPS documents`,
      )
    const bytes = yield* readLimited(body, maxBytes)
    if (bytes.length === 0) return yield* badFile("body", "文件是空的", "the file is empty")
    const sniffed = yield* Effect.promise(() => fileTypeFromBuffer(bytes))
    if (sniffed === undefined || !accepted.sniffed.includes(sniffed.ext))
      return yield* badFile(
        field,
        `文件内容(${sniffed?.ext ?? "无法识别"})与文件名的类型(.${extension})不符`,
        `the file's content (${sniffed?.ext ?? "not recognized"}) is not what its name says (.${extension})`,
      )
    const sha256 = createHash("sha256").update(bytes).digest("hex")
    const at = yield* nowIso
    const id = yield* transaction("attachments.upload", (tx) =>
      query(
        "attachments.insert",
        (db) =>
          insertAttachment(db, {
            task: address,
            name: fileName,
            type: accepted.mime,
            bytes,
            sha256,
            by: actor.id,
            at,
          }),
        tx,
      ),
    )
    return { id, name: fileName, type: accepted.mime, size: bytes.length, sha256 } satisfies Attachment
  })
