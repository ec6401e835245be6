/**
 * A process's own peak RSS. `process.resourceUsage().maxRSS` will not do for a forked process:
 * Linux carries the largest RSS across `execve`, so a child reports at least what its parent held
 * when it forked (a 400 MB parent: every child 400 MB, however small). The high-water mark of the
 * process's own memory (`VmHWM` in /proc/self/status) starts anew with it; maxRSS elsewhere.
 */
import { readFileSync } from "node:fs"

/** Peak resident memory of this process, in kB. */
export const peakRssKb = (): number => {
  try {
    const found = /^VmHWM:\s+(\d+) kB$/mu.exec(readFileSync("/proc/self/status", "utf8"))
    if (found?.[1] !== undefined) return Number(found[1])
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS
}

/**
 * The same as a module to preload (`--import`) into a program the benchmark runs but does not
 * own (the CLI): it appends the peak to the file `LIANDONG_BENCH_RSS_FILE` names at exit.
 */
export const peakRssAtExitModule = `import{appendFileSync as a,readFileSync as r}from"node:fs";process.on("exit",()=>{let k=process.resourceUsage().maxRSS;try{const m=/^VmHWM:\\s+(\\d+) kB$/mu.exec(r("/proc/self/status","utf8"));if(m)k=Number(m[1])}catch{}a(process.env.LIANDONG_BENCH_RSS_FILE,k+"\\n")})`
