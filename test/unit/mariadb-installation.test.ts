/**
 * Finding MariaDB's programs, and what the set-up says and installs when they are missing.
 */
import { describe, expect, it } from 'vitest'
import { findMariaDb, MariaDbMissingError } from '../../src/core/mariadb/index.js'
import { packagesFor } from '../../src/core/setup/index.js'

describe('findMariaDb', () => {
  it('names every missing program and the set-up command that installs them', () => {
    const err = (() => {
      try {
        findMariaDb({ PATH: '' }, [])
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(MariaDbMissingError)
    expect((err as MariaDbMissingError).missing).toEqual(['mariadbd', 'mariadb-install-db', 'mariadb-binlog'])
    expect((err as Error).message).toContain('npm run ensure-zookeeper -- --with-mariadb')
  })

  it('installs mariadb-server for it', () => {
    expect(packagesFor([{ what: 'mariadb', message: 'missing' }])).toEqual(['mariadb-server'])
  })
})
