import { useEffect, useId, useRef, useState, type ReactNode } from 'react'

/**
 * A button that opens a small popup (a menu or a group of checkboxes). Closes on Escape, on a click
 * outside, and, when `closeOnClick`, after a choice.
 */
export function Menu({
  label,
  ariaLabel,
  className = '',
  align = 'left',
  role = 'menu',
  closeOnClick = true,
  children,
}: {
  label: ReactNode
  ariaLabel: string
  className?: string
  align?: 'left' | 'right'
  role?: 'menu' | 'group'
  closeOnClick?: boolean
  children: ReactNode
}) {
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  const id = useId()
  useEffect(() => {
    if (!open) return
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false)
    }
    document.addEventListener('pointerdown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('pointerdown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])
  return (
    <div className={`dropdown ${align === 'right' ? 'dropdown-right' : ''}`} ref={ref}>
      <button
        type="button"
        className={`btn btn-small ${className}`}
        aria-label={ariaLabel}
        aria-haspopup={role === 'menu' ? 'menu' : 'true'}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {label}
      </button>
      {open && (
        <div
          id={id}
          className="dropdown-menu"
          role={role}
          aria-label={ariaLabel}
          onClick={closeOnClick ? () => setOpen(false) : undefined}
        >
          {children}
        </div>
      )}
    </div>
  )
}

/** One choice of a Menu: its label, a hover hint, and what a click does. */
export function MenuItem({
  label,
  hint,
  ariaLabel = label,
  disabled,
  onClick,
}: {
  label: string
  hint?: string
  ariaLabel?: string
  disabled?: boolean
  onClick: () => void
}) {
  return (
    <button
      type="button"
      role="menuitem"
      className="menu-item"
      disabled={disabled}
      title={hint}
      aria-label={ariaLabel}
      onClick={onClick}
    >
      {label}
    </button>
  )
}
