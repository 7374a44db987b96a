// ECharts, tree-shaken to what the numbers draw (bars, a grid, a tooltip, a legend, the canvas renderer):
// imported by this desk's lazily loaded numbers screen only, never by the phone app's entry.
import { BarChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export interface Series {
  name: string
  values: number[]
  color: string
}

/** A grouped bar chart of the categories (or groups, months) with one bar per series. */
export function barChart(element: HTMLElement, labels: string[], series: Series[]): echarts.ECharts {
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element, undefined, { renderer: 'canvas' })
  chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 12, top: 32, bottom: 64 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, itemStyle: { color: s.color } })),
    },
    true,
  )
  return chart
}

export function disposeAll(elements: (HTMLElement | null)[]): void {
  for (const element of elements) if (element) echarts.getInstanceByDom(element)?.dispose()
}
