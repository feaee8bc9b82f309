// Only what the timeline draws, so the bundle carries no more of ECharts than it uses (and none of
// its geo code, the one part that would need eval under our CSP).
import { CustomChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
  CustomChart,
  LineChart,
  ScatterChart,
  GridComponent,
  DataZoomComponent,
  TooltipComponent,
  MarkAreaComponent,
  MarkLineComponent,
  CanvasRenderer,
])

export { echarts }
export type { EChartsType } from 'echarts/core'
