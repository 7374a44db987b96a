import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/posts; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-posts', component: () => import('../DeskPending.vue') },
]

export default routes
