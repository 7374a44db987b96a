import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/posts; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-posts', component: () => import('./PostsWeek.vue') },
  { path: 'shifts/:id', name: 'desk-posts-shift', component: () => import('./PostsShift.vue'), props: true },
  { path: 'templates', name: 'desk-posts-templates', component: () => import('./PostsTemplates.vue') },
  { path: 'volunteers', name: 'desk-posts-suspended', component: () => import('./PostsSuspended.vue') },
]

export default routes
