/**
 * Email over SMTP with Nodemailer. Configured by the environment: `LIANDONG_SMTP_URL` (or
 * `LIANDONG_SMTP_URL_FILE`, for a URL holding a password), e.g.
 * `smtps://notices%40bureau.gov.cn:secret@smtp.bureau.gov.cn:465`, and `LIANDONG_SMTP_FROM`,
 * e.g. `"市知识产权局" <notices@bureau.gov.cn>`. Without a URL there is no email channel.
 */
import { SettingInvalid, settingOrFile } from "@liandong/store"
import { Layer } from "effect"
import { createTransport } from "nodemailer"
import { type Mailer, MailerRef } from "./Notices.ts"

/** A mailer sending through the SMTP server at `url`, from `from`. */
export const smtpMailer = (url: string, from: string): Mailer => {
  const transport = createTransport(url)
  return {
    send: async (mail) => {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { ...mail.headers },
      })
    },
  }
}

/** The mailer the environment configures, or null; a half-configured channel is a `SettingInvalid`. */
export const mailerFromEnv = (env: NodeJS.ProcessEnv = process.env): Mailer | null => {
  const url = settingOrFile(env, "LIANDONG_SMTP_URL")
  if (url === undefined) return null
  let protocol: string
  try {
    protocol = new URL(url).protocol
  } catch {
    throw new SettingInvalid({
      variable: env.LIANDONG_SMTP_URL ? "LIANDONG_SMTP_URL" : "LIANDONG_SMTP_URL_FILE",
      zh: "不是有效的 SMTP 地址（如 smtps://用户:密码@主机:465）",
      en: "not a valid SMTP URL (such as smtps://user:password@host:465)",
    })
  }
  if (protocol !== "smtp:" && protocol !== "smtps:")
    throw new SettingInvalid({
      variable: env.LIANDONG_SMTP_URL ? "LIANDONG_SMTP_URL" : "LIANDONG_SMTP_URL_FILE",
      zh: "须以 smtp:// 或 smtps:// 开头",
      en: "must start with smtp:// or smtps://",
    })
  const from = env.LIANDONG_SMTP_FROM
  if (from === undefined || from.trim() === "")
    throw new SettingInvalid({
      variable: "LIANDONG_SMTP_FROM",
      zh: '设置了 SMTP 地址时须设置发件人，如 "市知识产权局" <notices@example.gov.cn>',
      en: 'a sender is needed with an SMTP URL, such as "City IP Office" <notices@example.gov.cn>',
    })
  return smtpMailer(url, from)
}

/** The mailer of the environment as a layer (nothing when email is not configured). */
export const mailerLayerFromEnv = (env: NodeJS.ProcessEnv = process.env) => {
  const mailer = mailerFromEnv(env)
  return mailer === null ? Layer.empty : Layer.succeed(MailerRef)(mailer)
}
