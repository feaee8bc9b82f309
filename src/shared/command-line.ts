/**
 * One line of text → an external worker (command, args, env), the way a shell would read a simple
 * command: `NAME=value` words before the command become its environment, whitespace separates words,
 * single or double quotes group, a backslash escapes. Nothing is expanded: `$HOME`, globs and
 * `{placeholders}` reach the lab as written (the lab fills in its own placeholders).
 *
 * Shared by the app's "external" fields, `zklab run --external` and `npm run bench -- --external`.
 */

export class CommandLineError extends Error {}

export interface ParsedCommandLine {
  command: string
  args: string[]
  env: Record<string, string>
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/

export function parseCommandLine(text: string): ParsedCommandLine {
  const words = splitWords(text)
  const env: Record<string, string> = {}
  let i = 0
  for (; i < words.length; i++) {
    const m = ASSIGNMENT.exec(words[i].text)
    // A quoted word is never an assignment, as in a shell: "A=1" runs a program named A=1.
    if (!m || words[i].quotedName) break
    env[m[1]] = m[2]
  }
  if (i >= words.length) {
    throw new CommandLineError(
      words.length === 0
        ? 'give a command line, e.g. ./my-worker.sh --zk {connect} --id {workerId}'
        : 'only environment variables: the command to run is missing after them',
    )
  }
  return { command: words[i].text, args: words.slice(i + 1).map((w) => w.text), env }
}

/** The line as a user would type it back: for showing what will run. */
export function formatCommandLine(cmd: ParsedCommandLine): string {
  const quote = (w: string) =>
    w === '' ? "''" : /^[A-Za-z0-9_@%+=:,./{}-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`
  return [
    ...Object.entries(cmd.env).map(([k, v]) => `${k}=${quote(v)}`),
    quote(cmd.command),
    ...cmd.args.map(quote),
  ].join(' ')
}

interface Word {
  text: string
  /** A quote or escape appeared before any `=`: the word cannot be a NAME=value assignment. */
  quotedName: boolean
}

function splitWords(text: string): Word[] {
  const words: Word[] = []
  let word = ''
  let inWord = false
  let quotedName = false
  let quote: '"' | "'" | undefined
  const markQuoted = () => {
    if (!word.includes('=')) quotedName = true
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      markQuoted()
      quote = ch
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new CommandLineError('the line ends with a lone backslash')
      markQuoted()
      word += text[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push({ text: word, quotedName })
      word = ''
      inWord = false
      quotedName = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) throw new CommandLineError(`a ${quote === '"' ? 'double' : 'single'} quote is not closed`)
  if (inWord) words.push({ text: word, quotedName })
  return words
}
