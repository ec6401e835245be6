/**
 * Where the API token lives in the browser: sessionStorage, so it is gone when
 * the tab closes and never shared between tabs.
 */
const key = "liandong.token"

/** The stored token, if any. */
export const storedToken = (): string | null => sessionStorage.getItem(key)

/** Keeps the token for this tab. */
export const storeToken = (token: string): void => sessionStorage.setItem(key, token)

/** Forgets the token. */
export const clearToken = (): void => sessionStorage.removeItem(key)

/** True when the text looks like a Liandong API token (`ld_` and more). */
export const looksLikeToken = (text: string): boolean => /^ld_[A-Za-z0-9_-]{8,}$/.test(text.trim())
