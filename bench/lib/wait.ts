export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls until the condition holds; false (not a throw) when it did not within the time: a bench records that. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await sleep(everyMs)
  }
  return condition()
}
