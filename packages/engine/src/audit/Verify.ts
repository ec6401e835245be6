/**
 * Verifying a campaign's record without trusting the database: the hash
 * chain row by row, the signed checkpoints against the chain, and a replay of
 * every machine's events through its pinned definition that must reproduce
 * each recorded state and the stored snapshot exactly. Pure: the same code
 * checks the live database and an export on an auditor's machine. Rows are
 * fed one at a time, so the journal never has to be held whole.
 */
import { apply, type Campaign, type Compiled, canonicalJson, compile, initial } from "@liandong/workflow"
import { Result } from "effect"
import type { AnyStateMachine } from "xstate"
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

/** A machine as listed before its rows are read: everything but its stored snapshot. */
export type MachineHead = Omit<MachineRecord, "snapshot">

/** What verification knows before the journal passes: everything but the rows and the stored snapshots. */
export interface Premises {
  readonly campaign: string
  readonly checkpoints: ReadonlyArray<Checkpoint>
  /** public keys by key id */
  readonly keys: Readonly<Record<string, string>>
  /** definitions by content hash */
  readonly definitions: Readonly<Record<string, Campaign>>
  readonly machines: ReadonlyArray<MachineHead>
  /** the journal length the campaign row claims (online only) */
  readonly claimedLength?: number
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

/** The chain so far: numbering, campaign, links and hashes. Stops checking at the first break. */
const chainCheck = (campaign: string) => {
  let count = 0
  let broken: Finding | undefined
  // The last two rows' links, all a break needs to name the row slipped in.
  let previous: { readonly seq: number; readonly hash: string } | undefined
  let beforePrevious: string | null = null
  const push = (row: JournalRecord) => {
    count += 1
    if (broken !== undefined) return
    const expectedSeq = count
    const at = (zh: string, en: string): Finding => ({
      seq: row.seq,
      check: "chain",
      zh: `第 ${row.seq} 行:${zh}`,
      en: `row ${row.seq}: ${en}`,
    })
    if (row.campaign_id !== campaign) {
      broken = at(`属于另一活动“${row.campaign_id}”`, `belongs to another campaign, "${row.campaign_id}"`)
    } else if (row.seq !== expectedSeq) {
      broken = {
        seq: expectedSeq,
        check: "chain",
        zh: `第 ${expectedSeq} 行缺失或次序被改动(此处为第 ${row.seq} 行)`,
        en: `row ${expectedSeq} is missing or out of order (found row ${row.seq})`,
      }
    } else if (row.prev_hash !== (previous?.hash ?? null)) {
      if (previous !== undefined && row.prev_hash === beforePrevious) {
        // This row links past the previous one: the previous row was slipped in.
        broken = {
          seq: previous.seq,
          check: "chain",
          zh: `第 ${previous.seq} 行是后来插入的(第 ${row.seq} 行仍链接到它之前的一行)`,
          en: `row ${previous.seq} was inserted (row ${row.seq} still links to the row before it)`,
        }
      } else {
        broken = at(
          "与上一行的哈希链接不符(行被插入、删除或调换)",
          "does not link to the previous row's hash (a row was inserted, deleted or moved)",
        )
      }
    } else if (hashOf(row) !== row.hash) {
      broken = at("内容与其哈希不符(行被修改)", "its content does not match its hash (the row was altered)")
    }
    if (broken !== undefined) return
    beforePrevious = previous?.hash ?? null
    previous = { seq: row.seq, hash: row.hash }
  }
  const end = (claimedLength: number | undefined): Finding[] => {
    if (broken !== undefined) return [broken]
    if (claimedLength !== undefined && claimedLength !== count) {
      return [
        {
          seq: count + 1,
          check: "chain",
          zh: `日志应有 ${claimedLength} 行,实有 ${count} 行`,
          en: `the journal should have ${claimedLength} rows but has ${count}`,
        },
      ]
    }
    return []
  }
  return { push, end, count: () => count }
}

/** Checks every checkpoint's signature and that the chain passes through its head (`heads`: the hash of the nth row). */
const verifyCheckpoints = (premises: Premises, rows: number, heads: ReadonlyMap<number, string>): Finding[] => {
  const findings: Finding[] = []
  const sorted = [...premises.checkpoints].sort((a, b) => a.seq - b.seq)
  let lastGood = 0
  for (const checkpoint of sorted) {
    const key = premises.keys[checkpoint.keyId]
    const label = `${checkpoint.at} (${checkpoint.reason})`
    if (checkpoint.campaign !== premises.campaign) continue
    if (key === undefined || !checkpointSigned(checkpoint, key)) {
      findings.push({
        seq: checkpoint.seq,
        check: "checkpoint",
        zh: `检查点 ${label} 的签名无效或密钥未知`,
        en: `checkpoint ${label} has a bad signature or an unknown key`,
      })
      continue
    }
    const head = checkpoint.seq === 0 ? null : heads.get(checkpoint.seq)
    if (!heads.has(checkpoint.seq) && checkpoint.seq > 0) {
      findings.push({
        seq: rows + 1,
        check: "checkpoint",
        zh: `检查点 ${label} 证明日志曾有 ${checkpoint.seq} 行,现只有 ${rows} 行(行被删除或截断)`,
        en: `checkpoint ${label} shows the journal had ${checkpoint.seq} rows; it now has ${rows} (rows deleted or truncated)`,
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

/** One machine's replay so far: its snapshot, or the row where it broke. */
interface Replay {
  readonly machine: AnyStateMachine
  snapshot: unknown
  /** the seq of its last event */
  last: number | null
  broken: Finding | undefined
}

/** Replays each machine's events through its definition as they pass; holds one snapshot per machine. */
const replayCheck = (premises: Premises) => {
  const heads = new Map(premises.machines.map((m) => [m.id, m]))
  // One compiled definition per hash: units of one shape share a machine.
  const compiled = new Map<string, Compiled>()
  const machineOf = (head: MachineHead, definition: Campaign) => {
    let found = compiled.get(head.definitionHash)
    if (found === undefined) {
      found = compile(definition)
      compiled.set(head.definitionHash, found)
    }
    return head.kind === "campaign" ? found.campaignMachine() : found.unitMachine(head.unit as string)
  }
  const replays = new Map<string, Replay>()
  const start = (head: MachineHead, definition: Campaign): Replay => {
    const machine = machineOf(head, definition)
    return { machine, snapshot: initial(machine).snapshot, last: null, broken: undefined }
  }
  const push = (row: JournalRecord) => {
    if (!isMachineEvent(row)) return
    const head = heads.get(row.machine_id)
    const definition = head === undefined ? undefined : premises.definitions[head.definitionHash]
    if (head === undefined || definition === undefined) return
    let replay = replays.get(row.machine_id)
    if (replay === undefined) {
      replay = start(head, definition)
      replays.set(row.machine_id, replay)
    }
    replay.last = row.seq
    if (replay.broken !== undefined) return
    const step = apply(replay.machine, replay.snapshot, row.payload as { type: string; at: string })
    const fail = (zh: string, en: string): Finding => ({
      seq: row.seq,
      check: "replay",
      zh: `第 ${row.seq} 行:${zh}`,
      en: `row ${row.seq}: ${en}`,
    })
    if (Result.isFailure(step)) {
      replay.broken = fail(
        `重放时事件被拒绝(${step.failure.zh})`,
        `the event is refused on replay (${step.failure.en})`,
      )
    } else if (step.success.from !== row.state_before || step.success.to !== row.state_after) {
      replay.broken = fail(
        `记录的状态 ${String(row.state_after)} 与重放结果 ${step.success.to} 不符`,
        `recorded state ${String(row.state_after)} differs from the replay's ${step.success.to}`,
      )
    } else {
      replay.snapshot = step.success.snapshot
      return
    }
    // A broken machine's replay stops: only the finding is kept.
    replay.snapshot = undefined
  }
  /** The findings of one machine, its stored snapshot against its replay; its replay is then let go. */
  const settle = (machine: MachineRecord): Finding[] => {
    const definition = premises.definitions[machine.definitionHash]
    if (definition === undefined) {
      return [
        {
          seq: null,
          check: "replay",
          zh: `缺少状态机 ${machine.id} 的活动定义`,
          en: `the definition of machine ${machine.id} is missing`,
        },
      ]
    }
    const replay = replays.get(machine.id) ?? start(machine, definition)
    replays.delete(machine.id)
    if (replay.broken !== undefined) return [replay.broken]
    if (canonicalJson(replay.snapshot) === canonicalJson(machine.snapshot)) return []
    return [
      {
        seq: replay.last,
        check: "replay",
        zh: `状态机 ${machine.unit ?? "活动"} 的存储快照与其事件重放结果不符`,
        en: `the stored snapshot of machine ${machine.unit ?? "campaign"} differs from the replay of its events`,
      },
    ]
  }
  return { push, settle }
}

/** A verification fed the journal row by row, in stored order, then each machine with its stored snapshot. */
export interface JournalVerifier {
  /** Takes the next journal row. */
  readonly push: (row: JournalRecord) => void
  /** After the last row: the chain's and the checkpoints' findings. */
  readonly end: () => ReadonlyArray<Finding>
  /** After `end`: one machine's replay findings; machines in the order they are listed. */
  readonly settle: (machine: MachineRecord) => ReadonlyArray<Finding>
  /** Rows taken so far. */
  readonly rows: () => number
}

/**
 * Starts a verification that holds, besides the premises, only each machine's
 * replayed snapshot and the heads of the rows the checkpoints name.
 */
export const journalVerifier = (premises: Premises): JournalVerifier => {
  const chain = chainCheck(premises.campaign)
  const replay = replayCheck(premises)
  const wanted = new Set(premises.checkpoints.map((c) => c.seq))
  const heads = new Map<number, string>()
  return {
    push: (row) => {
      chain.push(row)
      if (wanted.has(chain.count())) heads.set(chain.count(), row.hash)
      replay.push(row)
    },
    end: () => [...chain.end(premises.claimedLength), ...verifyCheckpoints(premises, chain.count(), heads)],
    settle: replay.settle,
    rows: chain.count,
  }
}

/** The verdict from a verification's findings, in the order chain, checkpoints, replay. */
export const verdictOf = (
  counts: { rows: number; checkpoints: number; machines: number },
  findings: ReadonlyArray<Finding>,
): Verdict => ({ ok: findings.length === 0, ...counts, findings })

/** Verifies the evidence; findings are in the order chain, checkpoints, replay. */
export const verifyEvidence = (evidence: Evidence): Verdict => {
  const verifier = journalVerifier(evidence)
  for (const row of evidence.rows) verifier.push(row)
  const findings = [...verifier.end(), ...evidence.machines.flatMap((machine) => verifier.settle(machine))]
  return verdictOf(
    { rows: evidence.rows.length, checkpoints: evidence.checkpoints.length, machines: evidence.machines.length },
    findings,
  )
}
