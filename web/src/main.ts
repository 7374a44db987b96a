import { createApp } from 'vue'
import { createPinia } from 'pinia'
import {
  ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Icon, Loading, NavBar, Popup, Radio,
  RadioGroup, Step, Steps, Switch, Tabbar, TabbarItem, Tag,
} from 'vant'
// Each component's own CSS, not all of Vant's (200 KB): only what the app uses ships.
import 'vant/es/action-sheet/style/index'
import 'vant/es/button/style/index'
import 'vant/es/cell/style/index'
import 'vant/es/cell-group/style/index'
import 'vant/es/config-provider/style/index'
import 'vant/es/empty/style/index'
import 'vant/es/field/style/index'
import 'vant/es/form/style/index'
import 'vant/es/icon/style/index'
import 'vant/es/loading/style/index'
import 'vant/es/nav-bar/style/index'
import 'vant/es/popup/style/index'
import 'vant/es/radio/style/index'
import 'vant/es/radio-group/style/index'
import 'vant/es/step/style/index'
import 'vant/es/steps/style/index'
import 'vant/es/switch/style/index'
import 'vant/es/tabbar/style/index'
import 'vant/es/tabbar-item/style/index'
import 'vant/es/tag/style/index'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n, setLanguage } from './i18n'
import { loadConfig } from './config'

async function start(): Promise<void> {
  const app = createApp(App)
  for (const part of [ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Icon, Loading, NavBar, Popup,
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
