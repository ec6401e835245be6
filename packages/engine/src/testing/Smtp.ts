/**
 * A real SMTP server for tests (`smtp-server`, from Nodemailer's authors) on a free port:
 * what it received, addresses it refuses, and the headers of a received mail decoded.
 */
import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"

/** One mail as the server took it. */
export interface Received {
  readonly to: ReadonlyArray<string>
  readonly raw: string
}

/** Starts a server; `received` fills as mail arrives, `refused` addresses are answered 550. */
export const startSmtp = async () => {
  const received: Received[] = []
  const refused = new Set<string>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refused.has(address.address)) callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }))
      else callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on("data", (chunk: Buffer) => chunks.push(chunk))
      stream.on("end", () => {
        received.push({
          to: (session.envelope.rcptTo ?? []).map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.server.address() as AddressInfo).port
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return { received, refused, port, close }
}

/** The decoded subject of a received mail (RFC 2047 words joined). */
export const subjectOf = (raw: string) => {
  const header = /^Subject: ((?:.*)(?:\r\n[ \t].*)*)/m.exec(raw)?.[1] ?? ""
  return header
    .replace(/\r\n[ \t]/g, "")
    .replace(/=\?UTF-8\?B\?([^?]+)\?=\s*/gi, (_, b64: string) => Buffer.from(b64, "base64").toString("utf8"))
    .replace(/=\?UTF-8\?Q\?([^?]+)\?=\s*/gi, (_, q: string) =>
      Buffer.from(
        q
          .replace(/_/g, " ")
          .replace(/=([0-9A-F]{2})/gi, "%$1")
          .replace(/%/g, "%"),
        "latin1",
      ).toString(),
    )
}

/** A header of a received mail. */
export const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, "im").exec(raw)?.[1]?.trim()
