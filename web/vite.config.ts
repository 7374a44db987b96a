import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// `npm run dev` serves on 5173 (in the services' CORS allow-list); it reads config.json from
// the development server that `make run` starts on 8080.
export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: { '/config.json': 'http://127.0.0.1:8080', '/dev': 'http://127.0.0.1:8080' },
  },
  build: { target: 'es2020', chunkSizeWarningLimit: 600 },
})
