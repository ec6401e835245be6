/** What the backup and upgrade tests do beside the CLI: psql statements, a fresh key file. */
import { execFile } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"

/** Runs one statement (or psql meta-command) with psql, the client tools the backup itself needs; its rows as text. */
export const psql = (url: string, statement: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", statement], (error, stdout, stderr) =>
      error === null ? resolve(stdout.trim()) : reject(new Error(`psql: ${stderr || String(error)}`)),
    )
  })

/** A fresh Ed25519 key in a folder of its own, mode 0600, as `liandong keys init` makes one. */
export const newKeyFile = async (dir: string): Promise<string> => {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, "checkpoint-ed25519.pem")
  const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" })
  await writeFile(path, pem, { mode: 0o600 })
  return path
}
