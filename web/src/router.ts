import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'
import { deskNamed, deskRoutes, desksOf } from './desks/registry'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
    { path: '/sign-in', name: 'sign-in', component: () => import('./views/SignInView.vue'), meta: { public: true } },
    { path: '/auth/callback', name: 'auth-callback', component: () => import('./views/AuthCallbackView.vue'), meta: { public: true } },
    { path: '/raise', name: 'raise', component: () => import('./views/RaiseView.vue') },
    { path: '/matters', name: 'matters', component: () => import('./views/MattersView.vue') },
    { path: '/matters/:id', name: 'matter', component: () => import('./views/MatterView.vue'), props: true },
    { path: '/community', name: 'community', component: () => import('./views/CommunityView.vue') },
    { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue') },
    { path: '/love-bank', name: 'love-bank', component: () => import('./views/LoveBankView.vue') },
    { path: '/red-posts', name: 'red-posts', component: () => import('./views/RedPostsView.vue') },
    { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
    {
      path: '/desk',
      component: () => import('./desks/DeskLayout.vue'),
      children: [
        { path: '', name: 'desk', component: () => import('./desks/DeskHome.vue') },
        { path: 'not-yours', name: 'desk-not-yours', component: () => import('./desks/NotYours.vue') },
        ...deskRoutes(),
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !useSession().signedIn) {
    return { name: 'sign-in', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  }
  const roles = useSession().person?.roles
  const desk = deskNamed(to.matched.find((record) => record.meta.desk)?.meta.desk)
  if (desk && !desk.roles.some((role) => roles?.includes(role))) {
    return { name: 'desk-not-yours', query: { desk: desk.name } }
  }
  if (to.name === 'desk' && desksOf(roles).length === 0) return { name: 'desk-not-yours' }
  return true
})
