// Streaming delivery latency: opens N server-sent event streams on a running `gazouille serve`, publishes posts and
// measures, per client, the time from the POST to the event's arrival (p50/p99), plus the server's memory per stream.
// Usage: node stream-latency.mjs --url http://127.0.0.1:5080 --token <poster token> --reader-token <token> \
//          [--clients 1000] [--posts 20] [--pid <server pid>] [--procs 1]
// All clients read /api/v1/streaming/company with --reader-token (one account; rendering is then once per post).
// --procs K spreads the streams over K reader processes (the parent only publishes), so that one node.js thread
// parsing every stream's chunks is not what is measured; times are compared as performance.timeOrigin + now().
// Also printed: the POST's own round trip (the part of the latency spent before any stream is written to) and the
// CPU time the client used, to tell the server's cost from the client's on a small machine.
import { readFileSync } from "node:fs";
import { fork } from "node:child_process";
import { connect } from "node:net";

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const base = arg("url", "http://127.0.0.1:5080");
const token = arg("token");
const readerToken = arg("reader-token", token);
const clients = Number(arg("clients", "1000"));
const posts = Number(arg("posts", "20"));
const procs = Math.max(1, Number(arg("procs", "1")));
const pid = arg("pid");
const worker = process.argv.includes("--worker");
const now = () => performance.timeOrigin + performance.now(); // comparable between processes of one machine
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; // ms

const arrivals = [];

// Each stream is a raw HTTP/1.1 connection read as bytes: the event's id is found by a byte search in what arrived, with
// no per-chunk decoding or frame parsing. fetch() and a TextDecoder per stream cost the client ~65 ms of CPU per post
// at 1,000 streams (2026-11-27), on the same two cores as the server: that was measured as delivery latency.
const updateMarker = Buffer.from('event: update\ndata: {"id":"');
const url = new URL(base);
async function open() {
  const socket = connect({ host: url.hostname, port: Number(url.port || 80), noDelay: true });
  socket.write(`GET /api/v1/streaming/company HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${readerToken}\r\nAccept: text/event-stream\r\n\r\n`);
  let ready, failed;
  const opened = new Promise((r, f) => { ready = r; failed = f; });
  let headerDone = false, isReady = false;
  let carry = Buffer.alloc(0); // the end of the previous chunk: a frame cut between two reads is still found
  socket.on("error", (e) => failed(e));
  socket.on("data", (chunk) => {
    const arrived = now(); // before any search, so the client's own work is not counted twice
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (!headerDone) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) { carry = buf; return; }
      const status = buf.toString("latin1", 0, 12);
      if (!status.startsWith("HTTP/1.1 200")) { failed(new Error(`stream: ${status}`)); socket.destroy(); return; }
      headerDone = true;
      buf = buf.subarray(end + 4);
    }
    if (!isReady && buf.includes(":)")) { isReady = true; ready(); }
    let at = 0;
    let last = 0;
    while ((at = buf.indexOf(updateMarker, at)) >= 0) {
      let k = at + updateMarker.length;
      let id = "";
      while (k < buf.length && buf[k] >= 48 && buf[k] <= 57) id += String.fromCharCode(buf[k++]);
      if (k >= buf.length) break; // the id goes on in the next chunk: kept in the carry below
      arrivals.push([id, arrived]); // matched to its POST at the end: it may beat the POST's answer
      at = last = k;
    }
    carry = buf.length - last > updateMarker.length + 24 ? buf.subarray(buf.length - (updateMarker.length + 24)) : buf.subarray(last);
    carry = Buffer.from(carry); // not a view that keeps the whole chunk alive
  });
  return opened;
}

const openAll = async (n) => { for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, open)); };

if (worker) {
  // A reader process: opens its share, says so, and hands its arrivals over when asked.
  await openAll(clients);
  const cpuOpened = cpu();
  process.send({ opened: true });
  process.on("message", (m) => { if (m === "report") process.send({ arrivals, cpu: cpu() - cpuOpened }, () => process.exit(0)); });
} else {
  if (!token) { console.error("--token is required (gazouille admin create-token --username U)"); process.exit(2); }
  const rss = () => pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) : NaN; // KiB
  // The server's CPU time (user + system, clock ticks of 10 ms): what the publishing and fan-out cost it, which a busy
  // machine changes far less than the latencies.
  const serverCpu = () => { if (!pid) return NaN; const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; }; // ms
  const sentAt = new Map();
  const roundTrips = [];
  const before = rss();
  const t0 = performance.now();
  const workers = [];
  if (procs === 1) await openAll(clients);
  else {
    const args = process.argv.slice(2).filter((_, i, a) => a[i] !== "--clients" && a[i - 1] !== "--clients");
    await Promise.all(Array.from({ length: procs }, (_, k) => {
      const share = Math.floor(clients / procs) + (k < clients % procs ? 1 : 0);
      const w = fork(process.argv[1], [...args, "--clients", String(share), "--worker"]);
      workers.push(w);
      return new Promise((r) => w.once("message", r));
    }));
  }
  console.log(`${clients} streams open in ${((performance.now() - t0) / 1000).toFixed(1)} s (${procs} reader process${procs > 1 ? "es" : ""})`);
  const after = rss();
  if (pid) console.log(`server RSS ${before} KiB -> ${after} KiB: ${((after - before) / clients).toFixed(1)} KiB per stream`);

  // Warm-up posts (JIT, first rendering) are published and delivered but not counted. A fresh server compiles and
  // re-compiles (tiered JIT) for its first few dozen posts: with 3 warm-up posts a post's round trip was ~70 ms on a
  // busy machine, with 60 ~19 ms. Use --warmup 60 for steady-state numbers.
  const warmup = Number(arg("warmup", "3"));
  const cpuBefore = cpu();
  let serverCpuBefore = serverCpu();
  for (let i = -warmup; i < posts; i++) {
    if (i === 0) serverCpuBefore = serverCpu(); // the warm-up's JIT work is not counted
    const started = now();
    const res = await fetch(`${base}/api/v1/statuses`, {
      method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ status: `Mesure de latence ${i}`, audience: "company" }),
    });
    const status = await res.json();
    if (i >= 0) { sentAt.set(status.id, started); roundTrips.push(now() - started); }
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const serverCpuUsed = serverCpu() - serverCpuBefore;
  let readerCpu = cpu() - cpuBefore;
  for (const w of workers) {
    const report = await new Promise((r) => { w.once("message", r); w.send("report"); });
    for (const a of report.arrivals) arrivals.push(a); // spreading 100,000s of arrivals overflows the stack
    readerCpu += report.cpu;
  }
  const quantiles = (xs) => {
    xs.sort((a, b) => a - b);
    const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]?.toFixed(1);
    return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`;
  };
  const latencies = arrivals.filter(([id]) => sentAt.has(id)).map(([id, t]) => t - sentAt.get(id));
  console.log(`deliveries ${latencies.length}/${clients * posts}; latency ${quantiles(latencies)}`);
  // Per post: when its first and its last stream had it. A slow post (a pause of the whole server) and a slow sweep
  // over the streams both raise the p99 above; these tell them apart.
  const first = new Map(), last = new Map();
  for (const [id, t] of arrivals) {
    if (!sentAt.has(id)) continue;
    const d = t - sentAt.get(id);
    if (!(first.get(id) <= d)) first.set(id, d);
    if (!(last.get(id) >= d)) last.set(id, d);
  }
  console.log(`per post, first stream: ${quantiles([...first.values()])}; last stream: ${quantiles([...last.values()])}`);
  console.log(`POST round trip ${quantiles(roundTrips)}; client CPU while publishing ${(readerCpu / 1000).toFixed(1)} s (all processes; the ${posts + warmup} posts took ${((posts + warmup) * 0.5 + 3).toFixed(1)} s of wall clock)`);
  if (pid) console.log(`server CPU while publishing ${(serverCpuUsed / 1000).toFixed(2)} s: ${(serverCpuUsed / posts).toFixed(1)} ms per counted post (publishing it and writing it to ${clients} streams, heartbeats included)`);
  process.exit(0);
}
