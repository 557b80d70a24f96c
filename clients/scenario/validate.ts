import { readFileSync } from 'node:fs'
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv'
import { ACTION_NAMES } from './types.ts'

/** `clients/scenarios/schema.json`: the file format, for editors and for this checker. */
export const SCENARIO_SCHEMA = JSON.parse(
  readFileSync(new URL('../scenarios/schema.json', import.meta.url), 'utf8'),
) as AnySchemaObject

/** A schema violation at a JSON Pointer path inside the validated value. */
export interface SchemaIssue {
  path: (string | number)[]
  message: string
}

// strictRequired off: a oneOf branch names keys its parent declares
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false })
ajv.addSchema(SCENARIO_SCHEMA)
const schemaId = SCENARIO_SCHEMA.$id as string

function validator(fragment: string): ValidateFunction {
  const validate = ajv.getSchema(`${schemaId}#/definitions/${fragment}`)
  if (!validate) throw new Error(`scenario schema has no definition "${fragment}"`)
  return validate
}

const stepValidators = new Map(ACTION_NAMES.map((name) => [name, validator(`step-${name}`)]))

/** The scenario's top-level keys, steps left out (each step is checked on its own). */
const { $id: _id, ...withoutId } = SCENARIO_SCHEMA
const headerSchema: AnySchemaObject = {
  ...withoutId,
  properties: { ...SCENARIO_SCHEMA.properties, steps: { type: 'array', minItems: 1 } },
  definitions: {
    ms: SCENARIO_SCHEMA.definitions.ms,
    protocol: SCENARIO_SCHEMA.definitions.protocol,
  },
}
const validateHeader = ajv.compile(headerSchema)

export function checkHeader(value: unknown): SchemaIssue[] {
  return validateHeader(value) ? [] : issues(validateHeader.errors ?? [])
}

/** Checks one step of a known action against its part of the schema. */
export function checkStep(action: (typeof ACTION_NAMES)[number], value: unknown): SchemaIssue[] {
  const validate = stepValidators.get(action)
  if (!validate) return [{ path: [], message: `unknown action "${action}"` }]
  return validate(value) ? [] : issues(validate.errors ?? [])
}

/**
 * Ajv's errors in plain words, without the noise of branches a `oneOf` tried:
 * at a `oneOf`'s own place only its summary is kept ("needs topic and qos, or
 * topics"), and the summary goes too when a value inside it is what is wrong
 * (`wait.until: must be one of closed, pong` says enough).
 */
function issues(errors: ErrorObject[]): SchemaIssue[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath))
  const atOneOf = errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath))
  const kept = atOneOf.filter(
    (e) =>
      e.keyword !== 'oneOf' ||
      !atOneOf.some(
        (d) => d.keyword !== 'oneOf' && d.instancePath.startsWith(`${e.instancePath}/`),
      ),
  )
  const seen = new Set<string>()
  const out: SchemaIssue[] = []
  for (const error of kept) {
    const issue = describe(error)
    const key = `${issue.path.join('/')}:${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(issue)
  }
  return out
}

function pointer(instancePath: string): (string | number)[] {
  if (instancePath === '') return []
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

function describe(error: ErrorObject): SchemaIssue {
  const path = pointer(error.instancePath)
  const at = path.length === 0 ? '' : `${path.join('.')}: `
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path: [...path, String(params.additionalProperty)],
        message: `${at}unknown key "${String(params.additionalProperty)}"`,
      }
    case 'required':
      return { path, message: `${at}missing "${String(params.missingProperty)}"` }
    case 'enum':
      return { path, message: `${at}must be one of ${(error.schema as unknown[]).join(', ')}` }
    case 'type':
      return { path, message: `${at}must be ${String(params.type)}` }
    case 'oneOf':
      return { path, message: `${at}${oneOfMessage(error)}` }
    default:
      return { path, message: `${at}${error.message ?? error.keyword}` }
  }
}

interface Branch {
  required?: string[]
  type?: string
  $ref?: string
}

/**
 * For `oneOf` branches that differ only by required keys: "needs topic and
 * qos, or topics"; for branches of different shapes: "must be a clientName,
 * or a mapping with "client"".
 */
function oneOfMessage(error: ErrorObject): string {
  const branches = error.schema as Branch[]
  const passing = (error.params as { passingSchemas: number[] | null }).passingSchemas
  const keys = (b: Branch) => (b.required ?? []).map((k) => `"${k}"`).join(' and ')
  if (branches.every((b) => b.required !== undefined && b.type === undefined)) {
    const words = branches.map(keys).join(', or ')
    return passing === null ? `needs ${words}` : `takes ${words}, not both`
  }
  const shape = (b: Branch) =>
    b.required ? `a mapping with ${keys(b)}` : (b.$ref?.split('/').pop() ?? b.type ?? 'value')
  return `must be ${branches.map(shape).join(', or ')}`
}
