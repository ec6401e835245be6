/** LibreOffice for the tests that read a Word file as a reader's office would. */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** LibreOffice's command (CI installs it from Debian's packages), or undefined where it is missing. */
export const soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((path) => existsSync(path))

/** Converts Word bytes to PDF with LibreOffice, in a folder of their own; the PDF's path and bytes. */
export const toPdf = async (docx: Uint8Array, name: string): Promise<{ path: string; pdf: Buffer }> => {
  if (soffice === undefined) throw new Error("LibreOffice is not installed")
  const dir = await mkdtemp(join(tmpdir(), `liandong-${name}-`))
  await writeFile(join(dir, `${name}.docx`), docx)
  execFileSync(
    soffice,
    [
      "--headless",
      `-env:UserInstallation=file://${dir}/profile`,
      "--convert-to",
      "pdf",
      "--outdir",
      dir,
      join(dir, `${name}.docx`),
    ],
    { stdio: "ignore", timeout: 120_000 },
  )
  const path = join(dir, `${name}.pdf`)
  return { path, pdf: await readFile(path) }
}
