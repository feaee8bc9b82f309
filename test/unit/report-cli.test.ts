import { describe, expect, it } from 'vitest'
import { parseFormats } from '../../src/cli/report-command.js'

describe('zklab report --format', () => {
  it('takes a comma-separated list, in any case, once each', () => {
    expect(parseFormats('html,json,pdf')).toEqual(['html', 'json', 'pdf'])
    expect(parseFormats(' JSON , html,json')).toEqual(['json', 'html'])
  })

  it('names an unknown format and the choices', () => {
    expect(parseFormats('html,docx')).toBe('--format: unknown format "docx" (choose from html, json, pdf)')
    expect(parseFormats(',')).toBe('--format: give at least one of html, json, pdf')
  })
})
