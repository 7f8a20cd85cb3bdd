// Streaming delivery latency: opens N server-sent event streams on a running `gazouille serve`, publishes posts and
// measures, per client, the time from the POST to the event's arrival (p50/p99), plus the server's memory per stream.
// Usage: node stream-latency.mjs --url http://127.0.0.1:5080 --token <poster token> --reader-token <token> \
//          [--clients 1000] [--posts 20] [--pid <server pid>]
// All clients read /api/v1/streaming/company with --reader-token (one account; rendering is then once per post).
import { readFileSync } from "node:fs";

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const base = arg("url", "http://127.0.0.1:5080");
const token = arg("token");
const readerToken = arg("reader-token", token);
const clients = Number(arg("clients", "1000"));
const posts = Number(arg("posts", "20"));
const pid = arg("pid");
if (!token) { console.error("--token is required (gazouille admin create-token --username U)"); process.exit(2); }

const rss = () => pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) : NaN; // KiB
const sentAt = new Map();
const arrivals = [];

async function open() {
  const res = await fetch(`${base}/api/v1/streaming/company`, { headers: { Authorization: `Bearer ${readerToken}` } });
  if (!res.ok) throw new Error(`stream: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ready;
  const opened = new Promise((r) => (ready = r));
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const arrived = performance.now(); // before any parsing, so the client's own work is not counted twice
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith(":)")) ready();
        // The status's id is its first member: read it without parsing the whole status.
        const data = /^event: update\ndata: \{"id":"(\d+)"/.exec(frame);
        if (data) arrivals.push([data[1], arrived]); // matched to its POST at the end: it may beat the POST's answer
      }
    }
  })();
  return opened;
}

const before = rss();
const t0 = performance.now();
for (let i = 0; i < clients; i += 50) await Promise.all(Array.from({ length: Math.min(50, clients - i) }, open));
console.log(`${clients} streams open in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const after = rss();
if (pid) console.log(`server RSS ${before} KiB -> ${after} KiB: ${((after - before) / clients).toFixed(1)} KiB per stream`);

// Warm-up posts (JIT, first rendering) are published and delivered but not counted.
const warmup = Number(arg("warmup", "3"));
for (let i = -warmup; i < posts; i++) {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/statuses`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status: `Mesure de latence ${i}`, audience: "company" }),
  });
  const status = await res.json();
  if (i >= 0) sentAt.set(status.id, started);
  await new Promise((r) => setTimeout(r, 500));
}
await new Promise((r) => setTimeout(r, 3000));
const latencies = arrivals.filter(([id]) => sentAt.has(id)).map(([id, t]) => t - sentAt.get(id));
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
console.log(`deliveries ${latencies.length}/${clients * posts}; latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
process.exit(0);
