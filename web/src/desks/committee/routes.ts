import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/committee; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-committee', component: () => import('../DeskPending.vue') },
]

export default routes
