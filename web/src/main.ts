import { createApp } from 'vue'
import { createPinia } from 'pinia'
import {
  ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Loading, NavBar, Popup, Radio,
  RadioGroup, Step, Steps, Switch, Tabbar, TabbarItem, Tag,
} from 'vant'
import 'vant/lib/index.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n, setLanguage } from './i18n'
import { loadConfig } from './config'

async function start(): Promise<void> {
  const app = createApp(App)
  for (const part of [ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Loading, NavBar, Popup,
    Radio, RadioGroup, Step, Steps, Switch, Tabbar, TabbarItem, Tag]) {
    app.use(part)
  }
  app.use(createPinia()).use(i18n)
  setLanguage('zh-CN')
  try {
    await loadConfig()
  } catch {
    document.getElementById('app')!.innerHTML =
      '<p role="alert" style="padding:24px">无法读取应用配置（config.json），请刷新重试。<br>Cannot read config.json; reload to retry.</p>'
    return
  }
  app.use(router)
  app.mount('#app')
}

void start()
