import type { HTMLAttributes, ReactNode } from 'react'

/** One column: its header, and what each row shows in it. */
export interface Column<Row> {
  /** Text, or a node (a label only screen readers read, for a column of controls). */
  header: ReactNode
  /** The header's tooltip: what the figures mean. */
  hint?: string
  /** Figures, right-aligned in the header and every cell. */
  numeric?: boolean
  /** Classes of each cell (mono, strong, wrap…), fixed or by row. */
  className?: string | ((row: Row) => string | undefined)
  /** Each cell's tooltip (the whole value of a truncated cell). */
  title?(row: Row): string | undefined
  cell(row: Row, index: number): ReactNode
}

/** Attributes of a row element, `data-*` included (what the e2e tests and styles look for). */
export type RowAttributes = HTMLAttributes<HTMLTableRowElement> & {
  [data: `data-${string}`]: string | number | boolean | undefined
}

export interface TableProps<Row> {
  /** The table's accessible name. */
  label: string
  /** Classes besides `table` (mono, scenario-table…). */
  className?: string
  columns: readonly Column<Row>[]
  rows: readonly Row[]
  rowKey(row: Row): string | number
  rowAttributes?(row: Row, index: number): RowAttributes
  /** Clicking anywhere on a row; `selected` marks the chosen one (`is-selected`). */
  onRowClick?(row: Row): void
  selected?(row: Row): boolean
  /** Rows of another shape after the data rows (things still waiting, say). */
  trailingRows?: ReactNode
  /** Shown instead of the table when there are no rows at all. */
  empty?: ReactNode
}

const classes = (...names: Array<string | false | undefined>) => names.filter(Boolean).join(' ') || undefined

/** The renderer's tables: one header row, one row per item, the look of base.css's `.table`. */
export function Table<Row>({
  label,
  className,
  columns,
  rows,
  rowKey,
  rowAttributes,
  onRowClick,
  selected,
  trailingRows,
  empty,
}: TableProps<Row>) {
  if (rows.length === 0 && !trailingRows && empty !== undefined) return <p className="empty small">{empty}</p>
  return (
    <table className={classes('table', className)} aria-label={label}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={classes(c.numeric && 'num')} title={c.hint}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => {
          const attributes = rowAttributes?.(row, index) ?? {}
          return (
            <tr
              key={rowKey(row)}
              {...attributes}
              className={classes(attributes.className, selected?.(row) && 'is-selected')}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
            >
              {columns.map((c, i) => (
                <td
                  key={i}
                  className={classes(
                    c.numeric && 'num',
                    typeof c.className === 'function' ? c.className(row) : c.className,
                  )}
                  title={c.title?.(row)}
                >
                  {c.cell(row, index)}
                </td>
              ))}
            </tr>
          )
        })}
        {trailingRows}
      </tbody>
    </table>
  )
}
