import { Menu, type MenuItemConstructorOptions } from 'electron'

/** A minimal menu: the platform's standard File, Edit, View and Window menus (DevTools only in development). */
export function buildAppMenu(options: { isMac: boolean; isDev: boolean }): Menu {
  const view: MenuItemConstructorOptions = options.isDev
    ? { role: 'viewMenu' }
    : {
        label: 'View',
        submenu: [
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { type: 'separator' },
          { role: 'togglefullscreen' },
        ],
      }
  const template: MenuItemConstructorOptions[] = [
    ...(options.isMac ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ]
  return Menu.buildFromTemplate(template)
}
