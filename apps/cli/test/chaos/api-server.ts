/** The HTTP API server as its own process (`apps/server`), for the chaos tests. */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../../../server/src/main.ts", import.meta.url))

/** True when the server app is in the checkout. */
export const apiServerPresent = async (): Promise<boolean> => {
  const { access } = await import("node:fs/promises")
  return access(main).then(
    () => true,
    () => false,
  )
}

/** Starts the server on a free port with `env`; resolves once it prints its address. */
export const startApiServer = (env: Record<string, string>) =>
  new Promise<{ url: string; process: ChildProcess; stop: () => Promise<number | null>; logs: () => string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [main], {
        env: { ...process.env, LOG_LEVEL: "warn", PORT: "0", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      })
      let stdout = ""
      let stderr = ""
      child.stderr.setEncoding("utf8").on("data", (text: string) => {
        stderr = (stderr + text).slice(-8000)
      })
      child.once("exit", (code) => reject(new Error(`the API server exited with ${code}: ${stderr}`)))
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text
        const found = /https?:\/\/[^\s]+/.exec(stdout)
        if (found === null) return
        resolve({
          url: found[0],
          process: child,
          logs: () => stderr,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode)
              child.once("exit", (code) => done(code))
              child.kill("SIGTERM")
            }),
        })
      })
    },
  )
