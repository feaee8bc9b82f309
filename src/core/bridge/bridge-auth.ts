/**
 * Who may use the browser bridge: whoever holds this start's token. A program on the same machine
 * can send any Origin it likes, so the Origin/Host check alone stops only browsers; the token is what
 * stops another local user or process (as Jupyter's token does: reaching the lab means running programs).
 *
 * The URL `zklab serve` prints carries the token once; the page load that presents it gets a cookie,
 * which the page's assets, its WebSocket and a reload then present instead.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export function newBridgeToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Cookies are not isolated by port, so each lab's cookie is named after its own. */
export function bridgeCookieName(port: number): string {
  return `zklab-token-${port}`
}

export function bridgeCookie(port: number, token: string): string {
  return `${bridgeCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

/** Constant-time comparison; a wrong length says nothing the URL's format does not. */
export function isBridgeToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

export type BridgeAccess = 'query' | 'cookie'

/**
 * How a request proves it holds the token: `?token=` (the printed URL, `zklab fault`), or this lab's
 * cookie. A token in the query must be right even when a cookie is there too.
 */
export function bridgeAccess(req: IncomingMessage, url: URL, port: number, token: string): BridgeAccess | undefined {
  if (url.searchParams.has('token')) return isBridgeToken(url.searchParams.get('token'), token) ? 'query' : undefined
  const name = bridgeCookieName(port)
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name && isBridgeToken(value.join('='), token)) return 'cookie'
  }
  return undefined
}
