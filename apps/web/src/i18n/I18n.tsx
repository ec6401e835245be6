/**
 * The language of the interface: Chinese first, English on request. The
 * choice is kept in localStorage and written to <html lang>.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react"
import { type Language, type Messages, messages } from "./Messages.ts"

interface I18nValue {
  readonly lang: Language
  readonly t: Messages
  readonly setLang: (lang: Language) => void
  /** Picks the text of a bilingual value in the current language (Chinese when English is missing). */
  readonly pick: (text: { readonly zh: string; readonly en?: string | null | undefined }) => string
}

const I18nContext = createContext<I18nValue | null>(null)
const storageKey = "liandong.lang"

const initialLang = (): Language => {
  const stored = globalThis.localStorage?.getItem(storageKey)
  return stored === "en" || stored === "zh" ? stored : "zh"
}

/** Provides the current language and its messages to the tree. */
export const I18nProvider = ({ children }: { readonly children: ReactNode }) => {
  const [lang, setLangState] = useState<Language>(initialLang)
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en"
    document.title = messages[lang].app.title
  }, [lang])
  const setLang = useCallback((next: Language) => {
    localStorage.setItem(storageKey, next)
    setLangState(next)
  }, [])
  const value = useMemo<I18nValue>(
    () => ({
      lang,
      t: messages[lang],
      setLang,
      pick: (text) => (lang === "en" && text.en ? text.en : text.zh),
    }),
    [lang, setLang],
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

/** The current language, its messages and the switch. */
export const useI18n = (): I18nValue => {
  const value = useContext(I18nContext)
  if (value === null) throw new Error("useI18n outside I18nProvider")
  return value
}
