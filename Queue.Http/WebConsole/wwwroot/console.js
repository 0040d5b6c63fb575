// The AkkaQueue console: a client of the node's JSON API (/cluster, /cluster/partitions,
// /cluster/consumers, /v1/...). Every fetch failure becomes a sentence in the error banner;
// the last good view stays on screen meanwhile, so the page is never blank.
"use strict";

const REFRESH_MS = 2000;
const PEEK_COUNT = 10;
const state = { page: "cluster", topic: null, peek: null, lastHw: new Map(), timer: null };

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// Turns every way a request can fail into plain words.
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({ headers: { "Content-Type": "application/json" } }, options));
  } catch {
    throw new ApiError(`Cannot reach the node at ${location.host}: it may be down, restarting or cut off from this browser. Retrying every ${REFRESH_MS / 1000} s.`, 0);
  }
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (response.ok) return body;
  const said = body?.error?.message ?? body?.message ?? body?.detail ?? response.statusText;
  if (response.status === 503) throw new ApiError(`The cluster cannot serve this right now (503 Service Unavailable): ${said}. It usually recovers on its own; retrying.`, 503);
  if (response.status === 429) throw new ApiError(`The node is overloaded (429): ${said}. Retrying.`, 429);
  throw new ApiError(said || `The node answered ${response.status}.`, response.status);
}

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

function setRows(table, rows, emptyText) {
  const body = $(table).querySelector("tbody");
  body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: $(table).querySelectorAll("th").length, class: "muted" }, emptyText))]));
}

// ---- Cluster -------------------------------------------------------------------------------
async function renderCluster() {
  const [cluster, placement] = await Promise.all([api("/cluster"), api("/cluster/partitions").catch((e) => ({ error: e }))]);
  const manager = cluster.manager?.node_id;
  $("#cluster-summary").textContent =
    `${cluster.members.length} member(s), ${cluster.mode}; manager (catalogue singleton) on ${manager ?? "no node: no broker is up"}; this page is served by ${cluster.node}.`;
  setRows("#members", cluster.members.map((m) => el("tr", { "data-node": m.node_id },
    el("td", {}, m.node_id), el("td", {}, m.address), el("td", {}, m.http_address ? el("a", { href: m.http_address + "/" }, m.http_address) : "–"),
    el("td", {}, (m.roles || []).join(", ")), el("td", { class: "status-" + m.status }, m.status),
    el("td", {}, m.status === "unreachable" ? "no" : "yes"), el("td", {}, m.node_id === manager ? "★ manager" : ""))), "No members.");

  const brokers = new Map(cluster.members.filter((m) => (m.roles || []).includes("broker")).map((m) => [m.node_id, []]));
  const boxes = $("#brokers");
  if (placement.error) {
    boxes.replaceChildren(el("p", { class: "muted" }, `Partition placement unavailable: ${placement.error.message}`));
    return;
  }
  const unplaced = [];
  for (const p of placement.partitions) {
    const label = `${p.topic}/${p.partition}`;
    if (p.owner && brokers.has(p.owner)) brokers.get(p.owner).push(label);
    else if (p.owner) brokers.set(p.owner, [label]);
    else unplaced.push(label);
  }
  const box = (title, items, hint) => el("div", { class: "broker", "data-broker": title },
    el("h4", {}, `${title} — ${items.length} partition(s)`),
    items.length ? el("div", { class: "chips" }, ...items.map((i) => el("span", { class: "chip" }, i))) : el("p", { class: "muted" }, hint));
  boxes.replaceChildren(...[...brokers].map(([node, items]) => box(node, items, "No partition started here yet.")),
    ...(unplaced.length ? [box("not started", unplaced, "")] : []));
}

// ---- Topics --------------------------------------------------------------------------------
async function renderTopics() {
  const [list, placement] = await Promise.all([api("/v1/topics"), api("/cluster/partitions").catch(() => ({ partitions: [] }))]);
  const owners = new Map(placement.partitions.map((p) => [`${p.topic}/${p.partition}`, p.owner]));
  const names = state.topic ? [state.topic] : list.topics.map((t) => t.name);
  if (state.topic && !list.topics.some((t) => t.name === state.topic)) {
    throw new ApiError(`Topic '${state.topic}' does not exist. Check the name (names are case-sensitive) or create it above.`, 404);
  }
  const details = await Promise.all(names.map((n) => api(`/v1/topics/${encodeURIComponent(n)}`)));
  const now = performance.now();
  const rows = [];
  for (const topic of details) {
    for (const p of topic.partition_states) {
      const key = `${topic.name}/${p.partition}`;
      const before = state.lastHw.get(key);
      const rate = before && now > before.at ? ((p.high_watermark - before.hw) * 1000) / (now - before.at) : null;
      state.lastHw.set(key, { hw: p.high_watermark, at: now });
      rows.push(el("tr", { "data-topic": topic.name, "data-partition": p.partition },
        el("td", {}, el("a", { href: `#/topics/${encodeURIComponent(topic.name)}` }, topic.name)), el("td", { class: "num" }, p.partition),
        el("td", { class: "num" }, p.log_start), el("td", { class: "num hw" }, p.high_watermark),
        el("td", {}, owners.get(key) ?? "not started"), el("td", { class: "num" }, rate === null ? "–" : rate.toFixed(1)),
        el("td", {}, el("button", { class: "link", type: "button", onclick: () => { state.peek = { topic: topic.name, partition: p.partition }; refresh(); } }, "peek newest"))));
    }
  }
  setRows("#topics", rows, "No topics yet: create one above.");
  if (state.peek) await renderPeek();
}

async function renderPeek() {
  const { topic, partition } = state.peek;
  const detail = await api(`/v1/topics/${encodeURIComponent(topic)}`);
  const p = detail.partition_states.find((x) => x.partition === partition);
  const from = Math.max(p.log_start, p.high_watermark - PEEK_COUNT);
  // Fetch by offset: no consumer id, so no position moves.
  const fetched = await api(`/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/messages?offset=${from}&max=${PEEK_COUNT}`);
  $("#peek").hidden = false;
  $("#peek-title").textContent = `Newest messages of ${topic}/${partition} (offsets ${from} to ${p.high_watermark - 1})`;
  setRows("#peek-messages", fetched.messages.slice().reverse().map((m) => el("tr", {},
    el("td", { class: "num" }, m.offset), el("td", {}, m.timestamp ? new Date(m.timestamp).toLocaleString() : ""), el("td", {}, m.producer_id ?? "–"), el("td", { class: "message" }, m.value))),
    "This partition holds no messages.");
}

async function createTopic(event) {
  event.preventDefault();
  const result = $("#create-result");
  const name = $("#topic-name").value.trim();
  const partitions = Number($("#topic-partitions").value || 1);
  try {
    await api("/v1/topics", { method: "POST", body: JSON.stringify({ name, partitions }) });
    result.className = "ok";
    result.textContent = `Created topic '${name}' with ${partitions} partition(s).`;
    $("#topic-name").value = "";
    await refresh();
  } catch (e) {
    result.className = "bad";
    result.textContent = `Could not create '${name}': ${e.message}`;
  }
}

// ---- Consumers -----------------------------------------------------------------------------
async function renderConsumers() {
  const { consumers } = await api("/cluster/consumers");
  const rows = [];
  for (const c of consumers) {
    if (c.error) {
      rows.push(el("tr", { "data-consumer": c.consumer_id }, el("td", {}, c.consumer_id), el("td", {}, c.topic), el("td", { colspan: 4, class: "status-down" }, c.error)));
      continue;
    }
    const positions = c.positions.slice().sort((a, b) => b.lag - a.lag);
    for (const p of positions) {
      rows.push(el("tr", { "data-consumer": c.consumer_id, "data-partition": p.partition },
        el("td", {}, c.consumer_id), el("td", {}, c.topic), el("td", { class: "num" }, p.partition), el("td", { class: "num" }, p.position),
        el("td", { class: "num" }, p.high_watermark), el("td", { class: "num lag" }, p.lag)));
    }
  }
  setRows("#consumers", rows, "No consumers registered.");
}

// ---- Routing and refresh -------------------------------------------------------------------
const pages = { cluster: renderCluster, topics: renderTopics, consumers: renderConsumers };

function route() {
  const [, page, topic] = location.hash.split("/");
  state.page = pages[page] ? page : "cluster";
  const newTopic = state.page === "topics" && topic ? decodeURIComponent(topic) : null;
  if (newTopic !== state.topic) state.peek = null;
  state.topic = newTopic;
  for (const name of Object.keys(pages)) $(`#page-${name}`).hidden = name !== state.page;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === state.page);
  if (!state.peek) $("#peek").hidden = true;
  $("#all-topics").hidden = !state.topic;
  refresh();
}

async function refresh() {
  clearTimeout(state.timer);
  const page = state.page;
  try {
    await pages[page]();
    if (page === state.page) {
      showError("");
      $("#refreshed").textContent = `updated ${new Date().toLocaleTimeString()}`;
    }
  } catch (e) {
    if (page === state.page) showError(e instanceof ApiError ? e.message : `Something went wrong in the console: ${e.message}`);
  } finally {
    if (page === state.page) state.timer = setTimeout(refresh, REFRESH_MS);
  }
}

$("#create-topic").addEventListener("submit", createTopic);
$("#open-topic").addEventListener("submit", (e) => { e.preventDefault(); location.hash = `#/topics/${encodeURIComponent($("#open-topic-name").value.trim())}`; });
window.addEventListener("hashchange", route);
route();
