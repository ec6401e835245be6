/**
 * 佐证材料 in a real browser: west's contact attaches a PDF and two photos to its report
 * (each uploaded as it is chosen, one removed and chosen again), a file whose content is not
 * what its name says is refused next to the field, and the report goes in; the coordinator
 * sees the files beside the figures, the photos as thumbnails. axe finds no moderate, serious
 * or critical problem in the form or the review card.
 */
import { crc32, deflateSync } from "node:zlib"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { desktop } from "./shots.ts"

const wait = { timeout: 30_000 }
const westTask = "tour-2026/west-district/brochures"

/** A `width` × `height` PNG of one colour. */
const pngOf = (width: number, height: number, rgb: readonly [number, number, number]): Buffer => {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), data])))
    return Buffer.concat([length, Buffer.from(type, "ascii"), data, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk("IEND", Buffer.alloc(0)),
  ])
}

/** A one-page PDF. */
const pdf = Buffer.from(
  "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
  "latin1",
)

describe.skipIf(!browserAvailable())("evidence attached to a report in the web UI", () => {
  let server: TourServer
  let browser: Browser
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  const signIn = async (name: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: desktop, locale: "zh-CN", timezoneId: "Asia/Shanghai" })
    contexts.push(context)
    const page = await context.newPage()
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(server.url)
    await page.getByLabel("登录名").fill(name)
    await page.getByLabel("密码", { exact: true }).fill(tourPassword)
    await page.getByRole("button", { name: "登录" }).click()
    await page.getByTestId("who").waitFor(wait)
    return page
  }

  const axe = axeViolations

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  }, 240_000)
  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await server?.close()
  })

  it("attaches a PDF and two photos to a report; the coordinator sees them in the review card", async () => {
    const west = await signIn("west")
    await west.goto(`${server.url}/inbox`)
    const card = west.locator(`[data-task="${westTask}"]`)
    await card.waitFor(wait)
    if ((await card.getAttribute("data-status")) === "assigned") {
      await card.getByRole("button", { name: "确认接收" }).click()
      await expect.poll(() => card.getAttribute("data-status"), wait).toBe("acknowledged")
    }
    await card.getByRole("link", { name: "填写报送" }).click()
    await west.getByLabel("发放宣传资料").fill("800")
    await west.getByLabel("工作情况").fill("在西区街道设点发放，附签到表和现场照片")

    const picker = west.getByLabel("选择文件")
    const files = west.locator('[data-testid="evidence"] [data-file]')
    await picker.setInputFiles([
      { name: "签到表.pdf", mimeType: "application/pdf", buffer: pdf },
      { name: "现场一.png", mimeType: "image/png", buffer: pngOf(64, 48, [200, 40, 40]) },
      { name: "错的.png", mimeType: "image/png", buffer: pdf },
    ])
    // The mislabelled file is refused next to the field, in Chinese; the others are listed.
    await expect.poll(() => files.count(), wait).toBe(2)
    const refused = west.locator('[data-error-for="attachments"]')
    await expect.poll(() => refused.textContent(), wait).toContain("“错的.png”未能上传")
    expect(await picker.getAttribute("aria-invalid")).toBe("true")

    // A photo chosen by mistake is removed; the right one chosen.
    await picker.setInputFiles([{ name: "多余.png", mimeType: "image/png", buffer: pngOf(8, 8, [0, 0, 0]) }])
    await expect.poll(() => files.count(), wait).toBe(3)
    await west.getByRole("button", { name: "移除“多余.png”" }).click()
    await picker.setInputFiles([{ name: "现场二.png", mimeType: "image/png", buffer: pngOf(48, 64, [40, 40, 200]) }])
    await expect.poll(() => files.count(), wait).toBe(3)
    expect(await files.evaluateAll((items) => items.map((i) => i.getAttribute("data-file")))).toEqual([
      "签到表.pdf",
      "现场一.png",
      "现场二.png",
    ])
    expect(await west.locator('[data-error-for="attachments"]').count()).toBe(0)
    expect(await axe(west, ['[data-testid="report-form"]'])).toEqual([])

    await west.getByRole("button", { name: "提交报送" }).click()
    await west.goto(`${server.url}/inbox`)
    await expect
      .poll(() => west.locator(`[data-task="${westTask}"]`).getAttribute("data-status"), wait)
      .toBe("submitted")

    const lead = await signIn("lead")
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    const pending = lead.locator(`[data-pending="${westTask}"]`)
    await pending.waitFor(wait)
    const listed = pending.locator("[data-file]")
    await expect.poll(() => listed.count(), wait).toBe(3)
    expect(await pending.textContent()).toContain("佐证材料")
    expect(await pending.locator('[data-figure="brochures"]').textContent()).toContain("800")
    // The photos as thumbnails, loaded from the server; the PDF as a link to download.
    const thumbnails = pending.locator("img")
    await expect.poll(() => thumbnails.count(), wait).toBe(2)
    await expect
      .poll(() => thumbnails.evaluateAll((images) => images.map((i) => (i as HTMLImageElement).naturalWidth)), wait)
      .toEqual([64, 48])
    const link = pending.getByRole("link", { name: "签到表.pdf" })
    const response = await lead.request.get(new URL((await link.getAttribute("href")) ?? "", server.url).toString())
    expect(response.status()).toBe(200)
    expect(response.headers()["content-type"]).toBe("application/pdf")
    expect(response.headers()["content-disposition"]).toContain("attachment;")
    expect(await axe(lead, [`[data-pending="${westTask}"]`])).toEqual([])
    expect(errors).toEqual([])
  }, 180_000)
})
