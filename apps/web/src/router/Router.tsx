/**
 * A small path router over the History API: the server answers every unknown
 * path with index.html, so deep links and reloads land on the right screen.
 */
import { createContext, type MouseEvent, type ReactNode, useCallback, useContext, useEffect, useState } from "react"

export { matchPath } from "./Match.ts"

interface RouterValue {
  readonly path: string
  readonly search: URLSearchParams
  /** Counts the pages visited: a link or the back button makes a new one; a replace (a redirect, a filter) does not. */
  readonly visit: number
  /** `keepScroll`: a filter changed in place, not a new page — the view stays where it is. */
  readonly navigate: (to: string, options?: { replace?: boolean; keepScroll?: boolean }) => void
}

const RouterContext = createContext<RouterValue | null>(null)

const current = (visit: number) => ({
  path: window.location.pathname,
  search: new URLSearchParams(window.location.search),
  visit,
})

/** Provides the current path and `navigate` to the tree. */
export const RouterProvider = ({ children }: { readonly children: ReactNode }) => {
  const [location, setLocation] = useState(() => current(0))
  useEffect(() => {
    const onPop = () => setLocation((old) => current(old.visit + 1))
    window.addEventListener("popstate", onPop)
    return () => window.removeEventListener("popstate", onPop)
  }, [])
  const navigate = useCallback((to: string, options: { replace?: boolean; keepScroll?: boolean } = {}) => {
    if (options.replace) window.history.replaceState(null, "", to)
    else window.history.pushState(null, "", to)
    setLocation((old) => current(options.replace ? old.visit : old.visit + 1))
    if (!options.keepScroll) window.scrollTo(0, 0)
  }, [])
  return <RouterContext.Provider value={{ ...location, navigate }}>{children}</RouterContext.Provider>
}

/** The current location and `navigate`. */
export const useRouter = (): RouterValue => {
  const value = useContext(RouterContext)
  if (value === null) throw new Error("useRouter outside RouterProvider")
  return value
}

/** An in-app link: a real <a href> (so it opens in a new tab too) that navigates without reloading. */
export const Link = ({
  to,
  children,
  className,
  ...rest
}: { readonly to: string; readonly children: ReactNode; readonly className?: string } & Omit<
  React.AnchorHTMLAttributes<HTMLAnchorElement>,
  "href"
>) => {
  const { navigate, path } = useRouter()
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return (
    <a
      href={to}
      onClick={onClick}
      className={className}
      aria-current={path === to.split("?")[0] ? "page" : undefined}
      {...rest}
    >
      {children}
    </a>
  )
}
