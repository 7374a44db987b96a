import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'

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
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !useSession().signedIn) {
    return { name: 'sign-in', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  }
  return true
})
