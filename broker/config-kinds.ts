import { SessionLabError } from './errors.ts'

/**
 * The type of one setting: how its value is read from a flag or variable (a
 * string) or the JSON config file, and how `--help` shows it. `parse` returns
 * the setting's own type, so the table in config.ts builds a `Config` with no
 * cast, and a default of the wrong type does not compile.
 */
export interface Kind<T> {
  /** What `--help` shows after the flag. */
  readonly placeholder: string
  /** Throws CONFIG_INVALID naming `where` (the flag, variable or key). */
  parse(value: unknown, where: string): T
}

/** A non-empty string. */
export const text: Kind<string> = {
  placeholder: '<value>',
  parse(value, where) {
    if (typeof value !== 'string' || value.length === 0) {
      throw invalid(`${where}: expected a non-empty string, got ${show(value)}`)
    }
    return value
  },
}

/** A string, empty allowed (empty means "none" or "generate one"). */
export const optionalText: Kind<string> = {
  placeholder: '<value>',
  parse(value, where) {
    if (typeof value !== 'string') throw invalid(`${where}: expected a string, got ${show(value)}`)
    return value
  },
}

export const bool: Kind<boolean> = {
  placeholder: '<true|false>',
  parse(value, where) {
    if (value === true || value === 'true') return true
    if (value === false || value === 'false') return false
    throw invalid(`${where}: expected true or false, got ${show(value)}`)
  },
}

export function int(min: number, max: number): Kind<number> {
  return {
    placeholder: '<value>',
    parse: (value, where) => integer(value, min, max, where, `an integer ${min}-${max}`),
  }
}

export const port: Kind<number> = {
  placeholder: '<value>',
  parse: (value, where) => integer(value, 0, 65535, where, 'a port number 0-65535'),
}

export function oneOf<const V extends string>(...values: V[]): Kind<V> {
  return {
    placeholder: `<${values.join('|')}>`,
    parse(value, where) {
      const found = values.find((v) => v === value)
      if (found === undefined) {
        throw invalid(`${where}: expected one of ${values.join(', ')}, got ${show(value)}`)
      }
      return found
    },
  }
}

export const redisUrl: Kind<string> = {
  placeholder: '<value>',
  parse(value, where) {
    if (typeof value !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(value) || !URL.canParse(value)) {
      throw invalid(`${where}: expected a redis:// or rediss:// URL, got ${show(value)}`)
    }
    return value
  },
}

/** It names $SYS topics and Redis keys: no separators or wildcards. */
export const brokerId: Kind<string> = {
  placeholder: '<value>',
  parse(value, where) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{0,64}$/.test(value)) {
      throw invalid(`${where}: expected 1-64 of [A-Za-z0-9._-] or empty, got ${show(value)}`)
    }
    return value
  },
}

function integer(value: unknown, min: number, max: number, where: string, what: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(`${where}: expected ${what}, got ${show(value)}`)
  }
  return n
}

function show(value: unknown): string {
  // never echo a secret back
  if (typeof value === 'string' && value.length > 64) return `a ${value.length}-character string`
  return typeof value === 'string' ? `"${value}"` : String(JSON.stringify(value))
}

export function invalid(message: string): SessionLabError {
  return new SessionLabError('CONFIG_INVALID', message)
}
