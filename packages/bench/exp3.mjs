import { CrossEncoder } from "@mem0/hf-runtime";
import { candidates, QUERY } from "./dist/cross-encoder.js";
const model = "/work/shared/models/minilm-l6-shape-random";
const ce = await CrossEncoder.load({ provider: "x", model, device: "cpu", threads: Number(process.argv[2] ?? 2) });
for (const n of [20, 100]) {
  const docs = candidates(n);
  const variants = [1e9, 256, 128, 64, 32, 16];
  const res = Object.fromEntries(variants.map(v => [v, { wall: [], cpu: [], batches: 0, padded: 0 }]));
  for (const v of variants) await ce.score(QUERY, docs, { callOverheadTokens: v });
  for (let r = 0; r < 7; r++) for (const v of variants) {
    const stats = {};
    const a = performance.now(); const c = process.cpuUsage();
    await ce.score(QUERY + r, docs, { callOverheadTokens: v }, stats);
    const u = process.cpuUsage(c);
    res[v].wall.push(performance.now() - a); res[v].cpu.push((u.user + u.system) / 1000); res[v].batches = stats.batches; res[v].padded = stats.padded_tokens; res[v].real = stats.real_tokens;
  }
  const med = (x) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)].toFixed(0);
  for (const v of variants) console.log(`n=${n} overhead=${v === 1e9 ? "one batch" : v} batches=${res[v].batches} padded=${res[v].padded} real=${res[v].real} wall=${med(res[v].wall)} cpu=${med(res[v].cpu)}`);
}
