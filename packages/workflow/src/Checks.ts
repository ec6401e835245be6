/**
 * The meaning of a definition, checked after it decodes: every unit named
 * exists, keys are unique, times are in order, every task has someone to do
 * it and every phase can finish. All problems are returned, each with its path.
 */
import type { Campaign, CampaignInput } from "./Definition.ts"
import { isListed } from "./Listed.ts"
import type { Problem } from "./Problem.ts"
import { namesOf, ruleOf } from "./Rules.ts"
import { isTimeZone } from "./Time.ts"

type Input = typeof CampaignInput.Type

const problem = (path: string, zh: string, en: string): Problem => ({ path, zh, en })

const duplicates = (keys: ReadonlyArray<string>): Set<string> => {
  const seen = new Set<string>()
  const twice = new Set<string>()
  for (const key of keys) (seen.has(key) ? twice : seen).add(key)
  return twice
}

const validInstant = (text: string) =>
  /^\d{4}-\d{2}-\d{2}T/.test(text) && text.endsWith("Z") && !Number.isNaN(Date.parse(text))

/** Every semantic problem of a decoded definition and its normalized form. */
export const checkCampaign = (input: Input, campaign: Campaign): Problem[] => {
  const out: Problem[] = []
  const unitKeys = new Set(input.units.map((u) => u.key))
  const unknownUnit = (path: string, key: string) => {
    if (!unitKeys.has(key))
      out.push(problem(path, `单位“${key}”未在 units 中定义`, `unit "${key}" is not defined in units`))
  }

  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    out.push(problem("timeZone", `不认识的时区“${input.timeZone}”`, `unknown time zone "${input.timeZone}"`))
  }
  unknownUnit("coordinator", input.coordinator)

  for (const key of duplicates(input.units.map((u) => u.key))) {
    const i = input.units.findIndex((u) => u.key === key)
    out.push(
      problem(
        `units[${input.units.findLastIndex((u) => u.key === key)}].key`,
        `单位标识“${key}”重复(首次出现于 units[${i}])`,
        `duplicate unit key "${key}" (first at units[${i}])`,
      ),
    )
  }
  const byKey = new Map(input.units.map((u) => [u.key, u]))
  input.units.forEach((unit, i) => {
    if (unit.parent === undefined) return
    unknownUnit(`units[${i}].parent`, unit.parent)
    const seen = new Set<string>([unit.key])
    let at = unit.parent as string | undefined
    while (at !== undefined) {
      if (seen.has(at)) {
        out.push(
          problem(`units[${i}].parent`, `上级关系形成循环(经过“${at}”)`, `the parent chain loops (through "${at}")`),
        )
        break
      }
      seen.add(at)
      at = byKey.get(at)?.parent
    }
  })

  for (const key of duplicates(input.phases.map((p) => p.key))) {
    out.push(
      problem(
        `phases[${input.phases.findLastIndex((p) => p.key === key)}].key`,
        `阶段标识“${key}”重复`,
        `duplicate phase key "${key}"`,
      ),
    )
  }
  const allTasks = input.phases.flatMap((p, i) =>
    p.tasks.map((t, j) => ({ key: t.key, path: `phases[${i}].tasks[${j}]` })),
  )
  for (const key of duplicates(allTasks.map((t) => t.key))) {
    const last = allTasks.filter((t) => t.key === key).at(-1)
    out.push(
      problem(`${last?.path}.key`, `任务标识“${key}”在活动中重复`, `task key "${key}" is used twice in the campaign`),
    )
  }

  for (const key of Object.keys(input.summary?.leads ?? {})) {
    if (!input.phases.some((p) => p.key === key))
      out.push(problem(`summary.leads.${key}`, `阶段“${key}”未在 phases 中定义`, `phase "${key}" is not defined`))
  }

  input.phases.forEach((phaseInput, i) => {
    const phase = campaign.phases[i]
    if (phase === undefined) return
    const path = `phases[${i}]`
    if (
      phaseInput.name === undefined &&
      !["preparation", "publicity", "enforcement", "summary"].includes(phaseInput.key)
    ) {
      out.push(
        problem(
          `${path}.name`,
          `自定义阶段“${phaseInput.key}”须给出名称`,
          `custom phase "${phaseInput.key}" needs a name`,
        ),
      )
    }
    const opens = validInstant(phase.opensAt)
    const closes = validInstant(phase.closesAt)
    if (!opens)
      out.push(
        problem(
          `${path}.opensAt`,
          `不是有效的日期时间:${phaseInput.opensAt}`,
          `not a valid date-time: ${phaseInput.opensAt}`,
        ),
      )
    if (!closes)
      out.push(
        problem(
          `${path}.closesAt`,
          `不是有效的日期时间:${phaseInput.closesAt}`,
          `not a valid date-time: ${phaseInput.closesAt}`,
        ),
      )
    if (opens && closes && phase.closesAt <= phase.opensAt) {
      out.push(problem(`${path}.closesAt`, "结束时间须晚于开始时间", "must be after opensAt"))
    }
    const previous = campaign.phases[i - 1]
    if (opens && previous !== undefined && validInstant(previous.opensAt) && phase.opensAt < previous.opensAt) {
      out.push(
        problem(
          `${path}.opensAt`,
          `阶段须按时间顺序排列:早于上一阶段“${previous.name.zh}”的开始`,
          `phases must be in order: opens before the previous phase "${previous.key}"`,
        ),
      )
    }
    if (phase.tasks.length === 0 && phase.gate.kind !== "date") {
      out.push(
        problem(
          `${path}.tasks`,
          "阶段没有任何任务,无人能完成它(可将 gate 设为 date)",
          "the phase has no tasks, so nobody can finish it (use gate: date)",
        ),
      )
    }
    phaseInput.tasks.forEach((taskInput, j) => {
      const task = phase.tasks[j]
      if (task === undefined) return
      const tpath = `${path}.tasks[${j}]`
      const a = taskInput.assign
      if ("units" in a) {
        a.units.forEach((key, k) => {
          unknownUnit(`${tpath}.assign.units[${k}]`, key)
        })
      }
      if ("subordinatesOf" in a) unknownUnit(`${tpath}.assign.subordinatesOf`, a.subordinatesOf)
      for (const [k, key] of (taskInput.except ?? []).entries()) unknownUnit(`${tpath}.except[${k}]`, key)
      if (task.units.length === 0) {
        out.push(problem(`${tpath}.assign`, "没有任何单位承担此任务", "no unit is assigned this task"))
      }
      if (!validInstant(task.deadline)) {
        out.push(
          problem(
            `${tpath}.deadline`,
            `不是有效的日期时间:${taskInput.deadline}`,
            `not a valid date-time: ${taskInput.deadline}`,
          ),
        )
      } else if (opens && closes && (task.deadline <= phase.opensAt || task.deadline > phase.closesAt)) {
        out.push(
          problem(
            `${tpath}.deadline`,
            `截止时间不在阶段“${phase.name.zh}”的时间范围内`,
            `the deadline is outside the phase "${phase.key}"`,
          ),
        )
      } else if (opens) {
        task.reminders.forEach((reminder, k) => {
          if (reminder < phase.opensAt) {
            out.push(
              problem(`${tpath}.reminders[${k}]`, "提醒时间早于阶段开始", "the reminder falls before the phase opens"),
            )
          }
        })
      }
      ;(taskInput.extensions ?? []).forEach((extension, k) => {
        const epath = `${tpath}.extensions[${k}]`
        extension.units.forEach((key, u) => {
          if (!isListed(task.units, key))
            out.push(
              problem(
                `${epath}.units[${u}]`,
                `单位“${key}”不承担此任务,不能为其延期`,
                `unit "${key}" is not assigned this task, so it cannot be granted an extension`,
              ),
            )
        })
        const later = task.extensions?.[k]?.deadline ?? extension.deadline
        if (!validInstant(later)) {
          out.push(
            problem(
              `${epath}.deadline`,
              `不是有效的日期时间:${extension.deadline}`,
              `not a valid date-time: ${extension.deadline}`,
            ),
          )
        } else if (opens && closes && (later <= phase.opensAt || later > phase.closesAt)) {
          out.push(
            problem(
              `${epath}.deadline`,
              `延期后的截止时间不在阶段“${phase.name.zh}”的时间范围内`,
              `the extended deadline is outside the phase "${phase.key}"`,
            ),
          )
        }
      })
      const figures = taskInput.figures ?? []
      for (const key of duplicates(figures.map((f) => f.key))) {
        out.push(problem(`${tpath}.figures`, `数据项“${key}”重复`, `duplicate figure key "${key}"`))
      }
      figures.forEach((f, k) => {
        if (f.max !== undefined && (f.min ?? 0) > f.max) {
          out.push(problem(`${tpath}.figures[${k}].max`, "上限小于下限", "max is below min"))
        }
      })
      for (const key of duplicates((taskInput.narrative ?? []).map((n) => n.key))) {
        out.push(problem(`${tpath}.narrative`, `文字项“${key}”重复`, `duplicate narrative key "${key}"`))
      }
      ;(taskInput.rules ?? []).forEach((source, k) => {
        const rpath = `${tpath}.rules[${k}]`
        const rule = ruleOf(source)
        if (typeof rule === "string") {
          const [zh = rule, en = rule] = rule.split(" / ")
          out.push(problem(rpath, `规则无法解析：${zh}`, `the rule does not parse: ${en}`))
          return
        }
        const names = namesOf(rule)
        for (const key of names.figures)
          if (!task.figures.some((f) => f.key === key))
            out.push(problem(rpath, `规则中的数据项“${key}”不存在`, `the rule names no figure of the task: "${key}"`))
        for (const key of names.narrative)
          if (!task.narrative.some((n) => n.key === key))
            out.push(
              problem(rpath, `规则中的文字项“${key}”不存在`, `the rule names no narrative field of the task: "${key}"`),
            )
      })
    })
  })
  return out
}

/**
 * What deploys but is probably a mistake, said before it is: two units with the same name
 * (the summary and every screen would name them alike), a unit with no task at all.
 */
export const campaignWarnings = (campaign: Campaign): Problem[] => {
  const out: Problem[] = []
  const firstByName = new Map<string, number>()
  campaign.units.forEach((unit, i) => {
    const first = firstByName.get(unit.name)
    if (first === undefined) firstByName.set(unit.name, i)
    else
      out.push(
        problem(
          `units[${i}].name`,
          `单位名称“${unit.name}”与 units[${first}] 重复，总结和各页面将无法区分`,
          `the unit name "${unit.name}" repeats units[${first}]; the summary and every screen would name them alike`,
        ),
      )
  })
  const assigned = new Set(campaign.phases.flatMap((p) => p.tasks.flatMap((t) => t.units)))
  campaign.units.forEach((unit, i) => {
    if (!assigned.has(unit.key) && unit.key !== campaign.coordinator)
      out.push(problem(`units[${i}]`, `单位“${unit.name}”没有任何任务`, `the unit "${unit.key}" has no task`))
  })
  return out
}
