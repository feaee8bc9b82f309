/** Docker-mode containers carry the lab's identity; those of labs that are gone are found and removed. */
import { describe, expect, it } from 'vitest'
import {
  dockerRunArgs,
  isLabAlive,
  LAB_LABEL,
  labContainersCommand,
  labIdentity,
  leftoverContainers,
  removeContainersCommand,
} from '../../src/core/zookeeper/docker.js'

describe('Docker container labels', () => {
  it('labels the ZooKeeper container with the lab that started it, and publishes on loopback only', () => {
    const args = dockerRunArgs({
      container: 'zklab-x',
      port: 31000,
      dir: '/sessions/s1/zookeeper/docker-1',
      tickMs: 500,
      image: 'zookeeper:3.8',
      lab: '4242:777',
    })
    expect(args.slice(0, 5)).toEqual(['run', '-d', '--rm', '--name', 'zklab-x'])
    expect(args[args.indexOf('--label') + 1]).toBe('zklab.lab=4242:777')
    expect(args[args.indexOf('-p') + 1]).toBe('127.0.0.1:31000:2181')
    expect(args.at(-1)).toBe('zookeeper:3.8')
  })

  it('lists labelled containers with their label, and removes by id', () => {
    expect(labContainersCommand()).toEqual([
      'ps',
      '-a',
      '--filter',
      `label=${LAB_LABEL}`,
      '--format',
      '{{.ID}} {{.Label "zklab.lab"}}',
    ])
    expect(removeContainersCommand(['abc', 'def'])).toEqual(['rm', '-f', 'abc', 'def'])
  })

  it('picks the containers whose lab is gone, and leaves a live lab’s and unparsable lines alone', () => {
    const output = ['0a1b2c 100:5', 'ffee00 200:6', '', 'not-an-id 300:7', '123abc'].join('\n')
    expect(leftoverContainers(output, (identity) => identity === '200:6')).toEqual(['0a1b2c'])
  })

  it('tells this lab (alive) from a process that reused its PID (another start time) and from a gone one', () => {
    const me = labIdentity()
    expect(me).toMatch(new RegExp(`^${process.pid}:\\d+$`))
    expect(isLabAlive(me)).toBe(true)
    expect(isLabAlive(`${process.pid}:1`)).toBe(false)
    expect(isLabAlive('0:1')).toBe(false)
    expect(isLabAlive('garbage')).toBe(false)
  })
})
