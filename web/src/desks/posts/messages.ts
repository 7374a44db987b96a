// This desk's texts, zh-CN (simplified, as used in Hefei) and en; used as $t('<desk key>.…').
const zh = {}

const en: typeof zh = {}

export default { 'zh-CN': zh, en }
