/**
 * The app's own scheme (src/main/app-protocol.ts), against a real renderer folder on disk: it serves
 * the folder's files with the lab's CSP, and nothing else, however the URL is spelled.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { handleAppScheme, registerAppScheme, serveAppFile } from '../../src/main/app-protocol.js'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security.js'

describe("the app's scheme", () => {
  let base: string
  let renderer: string
  const get = (url: string, method = 'GET') => serveAppFile(method, url, renderer)

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'zklab-protocol-'))
    renderer = join(base, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    mkdirSync(join(base, 'renderer-evil'))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>lab</title>')
    writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)')
    writeFileSync(join(base, 'secret.txt'), 'not for the page')
    writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil()')
    symlinkSync(join(base, 'secret.txt'), join(renderer, 'assets', 'leak.txt'))
    symlinkSync(base, join(renderer, 'up'))
    symlinkSync(join(renderer, 'assets', 'index-abc.js'), join(renderer, 'alias.js'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('serves the page and its assets with their type and the CSP', async () => {
    const page = await get('zklab://app/index.html')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>lab</title>')
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    const script = await get('zklab://app/assets/index-abc.js?v=1#x')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe('console.log(1)')
    expect((await get('zklab://app/')).status).toBe(200)
    // A link that stays inside the folder is still one of its files.
    expect(await (await get('zklab://app/alias.js')).text()).toBe('console.log(1)')
    const head = await get('zklab://app/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it.each([
    'zklab://app/../secret.txt',
    'zklab://app/%2e%2e/secret.txt',
    'zklab://app/..%2fsecret.txt',
    'zklab://app/..%5csecret.txt',
    'zklab://app/assets%2f..%2f..%2fsecret.txt',
    'zklab://app/%2E%2E/renderer-evil/x.js',
    'zklab://app/up/secret.txt',
    'zklab://app/assets/leak.txt',
    'zklab://app/assets',
    'zklab://app/missing.js',
    'zklab://app/index.html%00.js',
    'zklab://app/%E0%A4%A',
    'zklab://other/index.html',
    'zklab://app:81/index.html',
    'file:///etc/passwd',
  ])('answers %s with a 404 that names nothing on disk', async (url) => {
    const response = await get(url)
    expect(response.status).toBe(404)
    const text = await response.text()
    expect(text).not.toContain('not for the page')
    expect(text).not.toContain(base)
  })

  it('serves read-only', async () => {
    expect((await get('zklab://app/index.html', 'POST')).status).toBe(405)
  })

  it('is registered as a standard, secure scheme and handled on the renderer folder', async () => {
    const registered = vi.fn()
    registerAppScheme({ registerSchemesAsPrivileged: registered })
    expect(registered).toHaveBeenCalledWith([
      { scheme: 'zklab', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ])
    let handler: ((request: Request) => Promise<Response>) | undefined
    handleAppScheme(
      {
        handle: (scheme: string, h: (request: Request) => Promise<Response>) =>
          void (expect(scheme).toBe('zklab'), (handler = h)),
      },
      renderer,
    )
    const response = await handler!(new Request('zklab://app/index.html'))
    expect(response.status).toBe(200)
  })
})
