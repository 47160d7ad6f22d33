import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'local-port',
  description: 'Local port numbers `127.0.0.1:54321` / `localhost:54321` become `:<port>` (Nuitka: local_port_re).',
  rewrites: "`127.0.0.1:54321`, `localhost:54321`, `('127.0.0.1', 54321)` -> port `<port>`",
  why: 'ephemeral ports. Nuitka: `local_port_re`',
  apply: (t) =>
    t.includes('127.0.0.1') || t.includes('localhost')
      ? t.replace(/\b(127\.0\.0\.1|localhost)(['"]?, ?|:)\d{2,5}\b/g, '$1$2<port>')
      : t,
});
