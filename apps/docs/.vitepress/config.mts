import { defineConfig } from 'vitepress';

// Everything is served from the build output: the default theme bundles its font, and
// the local search index is built at build time, so nothing is fetched from the network.
export default defineConfig({
  title: 'x',
  description: 'x: a supervisor for long-running AI agent runners',
  lang: 'en-US',
  cleanUrls: true,
  // Dead internal links fail the build.
  ignoreDeadLinks: false,
  lastUpdated: false,
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Reference', link: '/reference/cli' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Getting started', link: '/guide/getting-started' },
          { text: 'Architecture', link: '/guide/architecture' },
          { text: 'Supervision', link: '/guide/supervision' },
          { text: 'Durable agents', link: '/guide/durable-agents' },
          { text: 'Runner modes', link: '/guide/runner-modes' },
          { text: 'Services and fleet files', link: '/guide/services' },
          { text: 'Events', link: '/guide/events' },
          { text: 'Runners in other languages', link: '/guide/other-languages' },
        ],
      },
      {
        text: 'Agent frameworks',
        items: [
          { text: 'Using x with LangGraph', link: '/guide/langgraph' },
          { text: 'Using x with the AI SDK', link: '/guide/ai-sdk' },
          { text: 'Using x with the OpenAI Agents SDK', link: '/guide/openai-agents' },
        ],
      },
      {
        text: 'Operating x',
        items: [
          { text: 'Starting at boot', link: '/guide/boot' },
          { text: 'Live view: x top', link: '/guide/top' },
          { text: 'Metrics and health', link: '/guide/metrics' },
          { text: 'Event hooks', link: '/guide/hooks' },
          { text: 'Benchmarks', link: '/guide/benchmarks' },
        ],
      },
      {
        text: 'Embedding and clients',
        items: [
          { text: 'Embedding an agent', link: '/guide/embedding' },
          { text: 'Embedding the daemon', link: '/guide/embedding-daemon' },
          { text: 'A client for your programs', link: '/guide/client' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'CLI', link: '/reference/cli' },
          { text: 'Control API (JSON-RPC)', link: '/reference/control-api' },
          { text: 'Runner protocol v1', link: '/reference/protocol' },
          { text: 'Wire format', link: '/reference/wire-format' },
        ],
      },
    ],
    outline: { level: [2, 3] },
  },
});
