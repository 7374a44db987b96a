import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/operators; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-operators', component: () => import('./StatusView.vue') },
]

export default routes
