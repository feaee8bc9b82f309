/**
 * The history written out: Jepsen's JSON (elle-cli reads it), the same as EDN (Knossos and Jepsen read
 * EDN), or Porcupine's operations (one record per operation: client, input, call, output, return).
 */
import type { JepsenOp, RegisterValue } from './operations.js'

export type HistoryFormat = 'jepsen' | 'jepsen-edn' | 'porcupine'
export const HISTORY_FORMATS: HistoryFormat[] = ['jepsen', 'jepsen-edn', 'porcupine']

export function jepsenJson(ops: readonly JepsenOp[]): string {
  return '[\n' + ops.map((op) => JSON.stringify(op)).join(',\n') + '\n]\n'
}

/** One op map a line, keywords for keys, `type` and `f`, as Jepsen writes history.edn. */
export function jepsenEdn(ops: readonly JepsenOp[]): string {
  return ops.map((op) => ednMap(op)).join('\n') + '\n'
}

function ednMap(op: JepsenOp): string {
  const parts: string[] = [`:type :${op.type}`, `:f :${op.f}`]
  if ('value' in op) parts.push(`:value ${ednValue(op.value)}`)
  parts.push(`:process ${op.process}`, `:time ${op.time}`, `:index ${op.index}`, `:worker ${JSON.stringify(op.worker)}`)
  if (op.zxid) parts.push(`:zxid ${JSON.stringify(op.zxid)}`)
  return `{${parts.join(', ')}}`
}

function ednValue(v: RegisterValue | [RegisterValue, RegisterValue]): string {
  if (Array.isArray(v)) return `[${v.map((x) => ednValue(x)).join(' ')}]`
  if (v === null) return 'nil'
  return typeof v === 'number' ? String(v) : JSON.stringify(v)
}

/**
 * Porcupine's Operation {ClientId, Input, Call, Output, Return} as JSON, times in ns. An operation
 * that ended `info` returns at the end of the history with output `{unknown: true}` (a model should
 * accept any outcome for it); a `fail` has `{ok: false}`.
 */
export interface PorcupineOp {
  clientId: number
  input: { op: JepsenOp['f']; value?: RegisterValue | [RegisterValue, RegisterValue] }
  call: number
  output: { ok: boolean; value?: RegisterValue } | { unknown: true }
  return: number
  worker: string
  zxid?: string
}

export function porcupineOps(ops: readonly JepsenOp[]): PorcupineOp[] {
  const end = ops.reduce((max, op) => Math.max(max, op.time), 0) + 1
  const open = new Map<number, JepsenOp>()
  const out: PorcupineOp[] = []
  for (const op of ops) {
    if (op.type === 'invoke') {
      open.set(op.process, op)
      continue
    }
    const call = open.get(op.process)
    if (!call) continue
    open.delete(op.process)
    const value = 'value' in op ? op.value : undefined
    const input = call.f === 'read' || value === undefined ? { op: call.f } : { op: call.f, value }
    out.push({
      clientId: op.process,
      input,
      call: call.time,
      output:
        op.type === 'info'
          ? { unknown: true }
          : {
              ok: op.type === 'ok',
              ...(op.f === 'read' && op.type === 'ok' ? { value: op.value } : {}),
            },
      return: op.type === 'info' ? end : op.time,
      worker: op.worker,
      ...(op.zxid ? { zxid: op.zxid } : {}),
    })
  }
  return out
}

export function formatHistory(ops: readonly JepsenOp[], format: HistoryFormat): string {
  if (format === 'jepsen-edn') return jepsenEdn(ops)
  if (format === 'porcupine') return JSON.stringify(porcupineOps(ops), null, 1) + '\n'
  return jepsenJson(ops)
}
