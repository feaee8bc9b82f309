import { describe, expect, it } from 'vitest'
import { CommandLineError, formatCommandLine, parseCommandLine } from '../../src/shared/command-line.js'

describe('parseCommandLine', () => {
  it('splits words on whitespace and keeps placeholders as written', () => {
    expect(parseCommandLine('  ./worker.sh --zk {connect}\t--id {workerId} ')).toEqual({
      command: './worker.sh',
      args: ['--zk', '{connect}', '--id', '{workerId}'],
      env: {},
    })
  })

  it('groups with quotes and escapes with a backslash, expanding nothing', () => {
    expect(parseCommandLine(`python3 -c 'print("a b")' "two words" it\\'s "\\$HOME \\x" $HOME`).args).toEqual([
      '-c',
      'print("a b")',
      'two words',
      "it's",
      '$HOME \\x',
      '$HOME',
    ])
    expect(parseCommandLine(`run '' ""`).args).toEqual(['', ''])
  })

  it('reads NAME=value words before the command as its environment', () => {
    expect(parseCommandLine(`RUST_LOG=debug SINK={sink} EMPTY= 'my worker' A=1`)).toEqual({
      command: 'my worker',
      args: ['A=1'],
      env: { RUST_LOG: 'debug', SINK: '{sink}', EMPTY: '' },
    })
    expect(parseCommandLine(`X="a b" run`).env).toEqual({ X: 'a b' })
  })

  it('does not take a quoted word for an assignment', () => {
    expect(parseCommandLine(`'A=1' arg`)).toEqual({ command: 'A=1', args: ['arg'], env: {} })
    expect(parseCommandLine(`1A=x run`).command).toBe('1A=x')
  })

  it('names what is wrong with a line it cannot read', () => {
    expect(() => parseCommandLine('   ')).toThrow(/give a command line/)
    expect(() => parseCommandLine('A=1 B=2')).toThrow(/command to run is missing/)
    expect(() => parseCommandLine(`run 'open`)).toThrow(/single quote is not closed/)
    expect(() => parseCommandLine(`run "open`)).toThrow(/double quote is not closed/)
    expect(() => parseCommandLine('run \\')).toThrow(/lone backslash/)
    expect(() => parseCommandLine('')).toThrow(CommandLineError)
  })

  it('formats a line that reads back to the same command', () => {
    const lines = [`A='x y' ./w.sh --id {workerId} 'it'\\''s' ''`, 'node worker.mjs {connect}']
    for (const line of lines) {
      const parsed = parseCommandLine(line)
      expect(parseCommandLine(formatCommandLine(parsed))).toEqual(parsed)
    }
    expect(formatCommandLine(parseCommandLine(`A='x y' ./w.sh "b c"`))).toBe(`A='x y' ./w.sh 'b c'`)
  })
})
