import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSession } from '@/composables/useSession';

// Every page is its own chunk: the first visit downloads the shell and the page it opens.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/components/AppShell.vue'),
    children: [
      { path: '', redirect: { name: 'tasks' } },
      { path: 'datasources', name: 'datasources', component: () => import('@/pages/DatasourcesPage.vue') },
      { path: 'datasources/new', name: 'datasource-new', component: () => import('@/pages/DatasourceEditPage.vue') },
      {
        path: 'datasources/:id',
        name: 'datasource',
        component: () => import('@/pages/DatasourceEditPage.vue'),
        props: true,
      },
      { path: 'tasks', name: 'tasks', component: () => import('@/pages/TasksPage.vue') },
      { path: 'tasks/new', name: 'task-new', component: () => import('@/pages/TaskEditorPage.vue') },
      { path: 'tasks/import', name: 'task-import', component: () => import('@/pages/TaskImportPage.vue') },
      { path: 'tasks/:id', name: 'task', component: () => import('@/pages/TaskEditorPage.vue'), props: true },
      { path: 'runs', name: 'runs', component: () => import('@/pages/RunsPage.vue') },
      { path: 'runs/:id', name: 'run', component: () => import('@/pages/RunDetailPage.vue'), props: true },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue') },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  const { signedIn } = useSession();
  if (!to.meta.public && !signedIn.value) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  }
  if (to.name === 'login' && signedIn.value) return { name: 'tasks' };
  return true;
});
