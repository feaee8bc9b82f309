/**
 * report.json's JSON Schema (resources/report-schema.json, draft 2020-12) compiled with Ajv, for the
 * unit and integration tests. Ajv: the reference implementation of 2020-12 in JavaScript, strict mode
 * catches mistakes in the schema itself, and ajv-formats checks the date-time fields.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

const SCHEMA = new URL('../../../resources/report-schema.json', import.meta.url)

export function reportValidator(): (data: unknown) => { ok: boolean; errors: string } {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats.default(ajv)
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')))
  return (data) => {
    const ok = validate(data)
    return { ok, errors: ok ? '' : ajv.errorsText(validate.errors, { separator: '\n' }) }
  }
}
