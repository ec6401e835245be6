/**
 * Verifying a campaign's record without trusting the database: the hash
 * chain row by row, the signed checkpoints against the chain, and a replay of
 * every machine's events through its pinned definition that must reproduce
 * each recorded state and the stored snapshot exactly. Pure: the same code
 * checks the live database and an export on an auditor's machine.
 */
import { apply, type Campaign, canonicalJson, compile, initial } from "@liandong/workflow"
import { Result } from "effect"
import { hashedFields, rowHash } from "../Journal.ts"
import { type Checkpoint, checkpointSigned } from "./Checkpoint.ts"

/** A journal row as exported: its hashed fields, then its chain links. */
export interface JournalRecord {
  readonly campaign_id: string
  readonly seq: number
  readonly machine_id: string
  readonly unit_key: string | null
  readonly actor: string
  readonly role: string
  readonly actor_unit: string | null
  readonly cause: string
  readonly idempotency_key: string | null
  readonly event: string
  readonly payload: unknown
  readonly state_before: unknown
  readonly state_after: unknown
  readonly occurred_at: string
  readonly recorded_at: string
  readonly prev_hash: string | null
  readonly hash: string
}

/** A machine as stored: what its events must reproduce. */
export interface MachineRecord {
  readonly id: string
  readonly kind: "campaign" | "unit"
  readonly unit: string | null
  readonly definitionHash: string
  readonly snapshot: unknown
}

/** Everything verification looks at. */
export interface Evidence {
  readonly campaign: string
  readonly rows: ReadonlyArray<JournalRecord>
  readonly checkpoints: ReadonlyArray<Checkpoint>
  /** public keys by key id */
  readonly keys: Readonly<Record<string, string>>
  /** definitions by content hash */
  readonly definitions: Readonly<Record<string, Campaign>>
  readonly machines: ReadonlyArray<MachineRecord>
  /** the journal length the campaign row claims (online only) */
  readonly claimedLength?: number
}

/** One thing found wrong, naming the row (seq) where it shows. */
export interface Finding {
  readonly seq: number | null
  readonly check: "chain" | "checkpoint" | "replay"
  readonly zh: string
  readonly en: string
}

/** The outcome of a verification. */
export interface Verdict {
  readonly ok: boolean
  readonly rows: number
  readonly checkpoints: number
  readonly machines: number
  readonly findings: ReadonlyArray<Finding>
}

/** Rows that are not machine events: the deployment record, refused attempts and items given up on. */
export const isMachineEvent = (row: Pick<JournalRecord, "cause" | "event">): boolean =>
  row.cause !== "deploy" && row.event !== "access.denied" && row.event !== "queue.dead"

const hashOf = (row: JournalRecord) => {
  const { prev_hash: _prev, hash: _hash, ...fields } = row
  return rowHash(row.prev_hash, hashedFields(fields))
}

/** Checks the chain: numbering, campaign, links and hashes. Stops at the first break. */
const verifyChain = (evidence: Evidence): Finding[] => {
  const findings: Finding[] = []
  let previous: JournalRecord | undefined
  for (const [index, row] of evidence.rows.entries()) {
    const expectedSeq = index + 1
    const at = (zh: string, en: string): Finding => ({
      seq: row.seq,
      check: "chain",
      zh: `第 ${row.seq} 行:${zh}`,
      en: `row ${row.seq}: ${en}`,
    })
    if (row.campaign_id !== evidence.campaign) {
      findings.push(at(`属于另一活动“${row.campaign_id}”`, `belongs to another campaign, "${row.campaign_id}"`))
    } else if (row.seq !== expectedSeq) {
      findings.push({
        seq: expectedSeq,
        check: "chain",
        zh: `第 ${expectedSeq} 行缺失或次序被改动(此处为第 ${row.seq} 行)`,
        en: `row ${expectedSeq} is missing or out of order (found row ${row.seq})`,
      })
    } else if (row.prev_hash !== (previous?.hash ?? null)) {
      const beforePrevious = index >= 2 ? evidence.rows[index - 2] : undefined
      if (previous !== undefined && row.prev_hash === (beforePrevious?.hash ?? null)) {
        // This row links past the previous one: the previous row was slipped in.
        findings.push({
          seq: previous.seq,
          check: "chain",
          zh: `第 ${previous.seq} 行是后来插入的(第 ${row.seq} 行仍链接到它之前的一行)`,
          en: `row ${previous.seq} was inserted (row ${row.seq} still links to the row before it)`,
        })
      } else {
        findings.push(
          at(
            "与上一行的哈希链接不符(行被插入、删除或调换)",
            "does not link to the previous row's hash (a row was inserted, deleted or moved)",
          ),
        )
      }
    } else if (hashOf(row) !== row.hash) {
      findings.push(at("内容与其哈希不符(行被修改)", "its content does not match its hash (the row was altered)"))
    }
    if (findings.length > 0) return findings
    previous = row
  }
  if (evidence.claimedLength !== undefined && evidence.claimedLength !== evidence.rows.length) {
    findings.push({
      seq: evidence.rows.length + 1,
      check: "chain",
      zh: `日志应有 ${evidence.claimedLength} 行,实有 ${evidence.rows.length} 行`,
      en: `the journal should have ${evidence.claimedLength} rows but has ${evidence.rows.length}`,
    })
  }
  return findings
}

/** Checks every checkpoint's signature and that the chain passes through its head. */
const verifyCheckpoints = (evidence: Evidence): Finding[] => {
  const findings: Finding[] = []
  const sorted = [...evidence.checkpoints].sort((a, b) => a.seq - b.seq)
  let lastGood = 0
  for (const checkpoint of sorted) {
    const key = evidence.keys[checkpoint.keyId]
    const label = `${checkpoint.at} (${checkpoint.reason})`
    if (checkpoint.campaign !== evidence.campaign) continue
    if (key === undefined || !checkpointSigned(checkpoint, key)) {
      findings.push({
        seq: checkpoint.seq,
        check: "checkpoint",
        zh: `检查点 ${label} 的签名无效或密钥未知`,
        en: `checkpoint ${label} has a bad signature or an unknown key`,
      })
      continue
    }
    const row = evidence.rows[checkpoint.seq - 1]
    const head = checkpoint.seq === 0 ? null : (row?.hash ?? undefined)
    if (row === undefined && checkpoint.seq > 0) {
      findings.push({
        seq: evidence.rows.length + 1,
        check: "checkpoint",
        zh: `检查点 ${label} 证明日志曾有 ${checkpoint.seq} 行,现只有 ${evidence.rows.length} 行(行被删除或截断)`,
        en: `checkpoint ${label} shows the journal had ${checkpoint.seq} rows; it now has ${evidence.rows.length} (rows deleted or truncated)`,
      })
    } else if (head !== checkpoint.head) {
      findings.push({
        seq: lastGood + 1,
        check: "checkpoint",
        zh: `检查点 ${label} 与日志不符:第 ${lastGood + 1} 至 ${checkpoint.seq} 行之间的记录在签名后被改写`,
        en: `checkpoint ${label} does not match the journal: rows ${lastGood + 1} to ${checkpoint.seq} were rewritten after it was signed`,
      })
    } else {
      lastGood = checkpoint.seq
    }
  }
  return findings
}

/** Replays each machine's events through its definition; states and final snapshot must match. */
const verifyReplay = (evidence: Evidence): Finding[] => {
  const findings: Finding[] = []
  const byMachine = new Map<string, JournalRecord[]>()
  for (const row of evidence.rows) {
    if (!isMachineEvent(row)) continue
    byMachine.set(row.machine_id, [...(byMachine.get(row.machine_id) ?? []), row])
  }
  for (const machine of evidence.machines) {
    const definition = evidence.definitions[machine.definitionHash]
    if (definition === undefined) {
      findings.push({
        seq: null,
        check: "replay",
        zh: `缺少状态机 ${machine.id} 的活动定义`,
        en: `the definition of machine ${machine.id} is missing`,
      })
      continue
    }
    const compiled = compile(definition)
    const xmachine =
      machine.kind === "campaign" ? compiled.campaignMachine() : compiled.unitMachine(machine.unit as string)
    let snapshot = initial(xmachine).snapshot
    let broken = false
    for (const row of byMachine.get(machine.id) ?? []) {
      const step = apply(xmachine, snapshot, row.payload as { type: string; at: string })
      const fail = (zh: string, en: string) => {
        findings.push({ seq: row.seq, check: "replay", zh: `第 ${row.seq} 行:${zh}`, en: `row ${row.seq}: ${en}` })
        broken = true
      }
      if (Result.isFailure(step))
        fail(`重放时事件被拒绝(${step.failure.zh})`, `the event is refused on replay (${step.failure.en})`)
      else if (step.success.from !== row.state_before || step.success.to !== row.state_after)
        fail(
          `记录的状态 ${String(row.state_after)} 与重放结果 ${step.success.to} 不符`,
          `recorded state ${String(row.state_after)} differs from the replay's ${step.success.to}`,
        )
      else snapshot = step.success.snapshot
      if (broken) break
    }
    if (!broken && canonicalJson(snapshot) !== canonicalJson(machine.snapshot)) {
      const last = byMachine.get(machine.id)?.at(-1)?.seq ?? null
      findings.push({
        seq: last,
        check: "replay",
        zh: `状态机 ${machine.unit ?? "活动"} 的存储快照与其事件重放结果不符`,
        en: `the stored snapshot of machine ${machine.unit ?? "campaign"} differs from the replay of its events`,
      })
    }
  }
  return findings
}

/** Verifies the evidence; findings are in the order chain, checkpoints, replay. */
export const verifyEvidence = (evidence: Evidence): Verdict => {
  const findings = [...verifyChain(evidence), ...verifyCheckpoints(evidence), ...verifyReplay(evidence)]
  return {
    ok: findings.length === 0,
    rows: evidence.rows.length,
    checkpoints: evidence.checkpoints.length,
    machines: evidence.machines.length,
    findings,
  }
}
