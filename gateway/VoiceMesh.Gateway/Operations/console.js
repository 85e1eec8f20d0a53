// The operations console: a client of the gateway's /api, signed in with an API key kept for the browser tab only
// (sessionStorage). Every value from the API is put into the page as text, never as markup.
"use strict";

const keyName = "voicemesh-api-key";
const refreshMs = 10000;
const jaegerUrl = document.querySelector('meta[name="voicemesh-jaeger-url"]').content.replace(/\/+$/, "");
const traceService = document.querySelector('meta[name="voicemesh-trace-service"]').content;
const main = document.getElementById("view");
const status = document.getElementById("status");
let refreshTimer = null;

class SignInNeeded extends Error {}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(value) {
  return value ? new Date(value).toLocaleString(undefined, { hour12: false }) : "";
}

function badge(value) {
  return value ? el("span", { class: `status ${value}` }, value) : "";
}

function table(headings, rows, empty) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  return el("table", {}, el("thead", {}, el("tr", {}, headings.map(h => el("th", {}, h)))), el("tbody", {}, rows));
}

// A link to the trace in Jaeger: the trace itself when its id is known, else a search by the span tag every hop carries.
function traceLink(traceId, tag, value) {
  if (traceId) return el("a", { href: `${jaegerUrl}/trace/${encodeURIComponent(traceId)}`, target: "_blank", rel: "noopener", class: "trace" }, `trace ${traceId.slice(0, 8)}…`);
  if (!value) return "";
  const tags = encodeURIComponent(JSON.stringify({ [tag]: value }));
  return el("a", { href: `${jaegerUrl}/search?service=${encodeURIComponent(traceService)}&tags=${tags}`, target: "_blank", rel: "noopener", class: "trace" }, "traces");
}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(keyName);
  if (!key) throw new SignInNeeded("Sign in with an API key.");
  const headers = { "X-Api-Key": key, Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method: options.method ?? "GET", headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  if (response.status === 401) throw new SignInNeeded("The gateway refused this API key (401).");
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    const detail = problem ? [problem.title, problem.detail].filter(Boolean).join(": ") : response.statusText;
    throw new Error(`${options.method ?? "GET"} ${path} answered ${response.status}${detail ? ` (${detail})` : ""}`);
  }
  return response.status === 204 ? null : response.json();
}

function say(message, isError) {
  status.textContent = message ?? "";
  status.className = isError ? "error" : "";
}

// ---------------------------------------------------------------------------------------------------------------
// Views: each returns the nodes it shows.

async function calls() {
  const live = new URLSearchParams(location.hash.split("?")[1] ?? "").get("live") === "true";
  const list = await api(`/api/calls?limit=100${live ? "&live=true" : ""}`);
  const toggle = el("label", {}, el("input", { type: "checkbox", id: "live-only", checked: live, onchange: e => { location.hash = e.target.checked ? "#calls?live=true" : "#calls"; } }), " live calls only");
  const rows = list.map(call => {
    const row = el("tr", { "data-call-sid": call.callSid },
      el("td", {}, el("button", { type: "button", class: "link sid", onclick: () => toggleLifecycle(row, call.callSid) }, call.callSid)),
      el("td", {}, badge(call.status)),
      el("td", {}, call.direction ?? ""),
      el("td", {}, call.from ?? ""),
      el("td", {}, call.to ?? ""),
      el("td", {}, call.answeredBy ?? ""),
      el("td", {}, call.queue ?? ""),
      el("td", {}, when(call.lastChangedAt)),
      el("td", {}, traceLink(call.traceId, "twilio.call_sid", call.callSid)));
    return row;
  });
  return [el("div", { class: "toolbar" }, toggle, el("span", {}, `${list.length} call${list.length === 1 ? "" : "s"}, last changed first`)),
    table(["Call", "Status", "Direction", "From", "To", "Answered by", "Queue", "Last change", "Trace"], rows, "No calls.")];
}

async function toggleLifecycle(row, callSid) {
  const next = row.nextElementSibling;
  if (next?.classList.contains("lifecycle")) { next.remove(); return; }
  const call = await api(`/api/calls/${encodeURIComponent(callSid)}`);
  const history = call.history.map(h => el("li", {}, `${h.status} (${h.source}${h.sequenceNumber === null ? "" : ` #${h.sequenceNumber}`}) ${when(h.timestamp)}`));
  const path = (call.flow?.path ?? []).map(p => el("li", {}, `${p.step}: ${p.type}${p.input ? ` input ${p.input}` : ""}${p.result ? ` → ${p.result}` : ""}`));
  const cell = el("td", { colspan: 9, class: "detail" },
    el("strong", {}, "Lifecycle"), el("ol", { class: "history" }, history),
    path.length ? [el("strong", {}, `Flow ${call.flow.flowId} v${call.flow.version}`), el("ol", {}, path)] : null,
    call.recordings.length ? el("p", {}, "Recordings: ", call.recordings.map(r => `${r.recordingSid} (${r.status}) `)) : null,
    call.price ? el("p", {}, `Price: ${call.price.amount} ${call.price.currency}`) : null);
  row.after(el("tr", { class: "lifecycle" }, cell));
}

async function conferences() {
  const list = await api("/api/conferences");
  const shown = await Promise.all(list.slice(0, 25).map(c => api(`/api/conferences/${encodeURIComponent(c.conferenceSid)}`)));
  if (shown.length === 0) return el("p", { class: "empty" }, "No conferences.");
  return shown.map(c => el("section", { class: "conference", "data-conference-sid": c.conferenceSid },
    el("h2", {}, `${c.friendlyName} `, badge(c.status), " ", el("span", { class: "sid" }, c.conferenceSid), " ", traceLink(null, "twilio.conference_sid", c.conferenceSid)),
    el("p", {}, `Started ${when(c.startedAt) || "–"}, ended ${when(c.endedAt) || "–"}${c.reasonConferenceEnded ? ` (${c.reasonConferenceEnded})` : ""}; recordings: ${c.recordings.map(r => r.recordingSid).join(", ") || "none"}`),
    table(["Participant", "Call", "Status", "Muted", "Held", "Coaching", "Joined", "Left", "Trace"], c.participants.map(p => el("tr", { "data-call-sid": p.callSid },
      el("td", {}, p.label ?? p.role ?? ""),
      el("td", { class: "sid" }, p.callSid),
      el("td", {}, badge(p.status)),
      el("td", {}, p.muted ? "muted" : ""),
      el("td", {}, p.hold ? "on hold" : ""),
      el("td", {}, p.coaching ? `coaching ${p.callSidToCoach ?? ""}` : ""),
      el("td", {}, when(p.joinedAt)),
      el("td", {}, when(p.leftAt)),
      el("td", {}, traceLink(null, "twilio.call_sid", p.callSid)))), "No participants.")));
}

async function queues() {
  const list = await api("/api/queues");
  if (list.length === 0) return el("p", { class: "empty" }, "Nobody is waiting in a queue.");
  const details = await Promise.all(list.map(q => api(`/api/queues/${encodeURIComponent(q.name)}`)));
  return details.map(q => el("section", { class: "queue", "data-queue": q.name },
    el("h2", {}, `${q.name}: ${q.size} waiting, longest ${q.longestWaitSeconds} s, average ${q.averageWaitSeconds} s`),
    table(["Position", "Call", "Waiting", "Since", "Trace"], q.callers.map(c => el("tr", { "data-call-sid": c.callSid },
      el("td", {}, c.position), el("td", { class: "sid" }, c.callSid), el("td", {}, `${c.waitSeconds} s`), el("td", {}, when(c.enqueuedAt)),
      el("td", {}, traceLink(null, "twilio.call_sid", c.callSid)))), "Nobody waits.")));
}

async function numbers() {
  const list = await api("/api/numbers");
  const pools = new Map();
  for (const n of list) {
    if (!pools.has(n.pool)) pools.set(n.pool, []);
    pools.get(n.pool).push(n);
  }
  if (pools.size === 0) return el("p", { class: "empty" }, "No numbers.");
  const definitions = new Map(await Promise.all([...pools.keys()].map(async name => [name, await api(`/api/numbers/pools/${encodeURIComponent(name)}`).catch(() => null)])));
  const rows = [...pools.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => {
    const active = members.filter(n => n.state === "active").length;
    const leases = members.reduce((sum, n) => sum + (n.usage?.activeLeases ?? 0), 0);
    const perNumber = definitions.get(name)?.maxConcurrentCalls ?? 1;
    const capacity = active * perNumber;
    const used = capacity === 0 ? 0 : Math.min(1, leases / capacity);
    const states = Object.entries(members.reduce((counts, n) => ({ ...counts, [n.state]: (counts[n.state] ?? 0) + 1 }), {}))
      .map(([state, count]) => `${count} ${state}`).join(", ");
    return el("tr", { "data-pool": name },
      el("td", {}, name), el("td", {}, members.length), el("td", {}, states), el("td", {}, `${leases} / ${capacity}`),
      el("td", {}, meter(used), ` ${Math.round(used * 100)}%`),
      el("td", {}, members.reduce((sum, n) => sum + (n.usage?.callsThisHour ?? 0), 0)),
      el("td", {}, members.map(n => n.phoneNumber).join(" ")));
  });
  return table(["Pool", "Numbers", "States", "Calls in progress / capacity", "Utilisation", "Calls this hour", "Numbers"], rows, "No pools.");
}

// A bar filled to the ratio; its width set through the CSS object model, which the page's content security policy allows.
function meter(ratio) {
  const fill = el("span");
  fill.style.width = `${Math.round(ratio * 100)}%`;
  return el("span", { class: "meter", role: "meter", "aria-valuenow": Math.round(ratio * 100), "aria-valuemin": 0, "aria-valuemax": 100 }, fill);
}

async function recordings() {
  const list = await api("/api/recordings?limit=100");
  return table(["Recording", "Of", "Archive", "Size", "SHA-256", "Stored at", "Deleted at Twilio", "Legal hold", "Trace"], list.map(r => el("tr", { "data-recording-sid": r.recordingSid },
    el("td", { class: "sid" }, r.recordingSid),
    el("td", { class: "sid" }, r.conferenceSid ?? r.callSid ?? ""),
    el("td", {}, badge(r.status)),
    el("td", {}, r.sizeBytes === null ? "" : `${r.sizeBytes} B`),
    el("td", { class: "sid" }, r.sha256 ?? ""),
    el("td", { class: "sid" }, r.blobUri ?? ""),
    el("td", {}, r.deletedAtTwilio ? "yes" : "no"),
    el("td", {}, r.legalHold ? "held" : ""),
    el("td", {}, traceLink(null, "twilio.recording_sid", r.recordingSid)))), "No recordings.");
}

async function deadLetters() {
  const list = await api("/api/admin/dead-letters");
  if (list.queues.length === 0) return el("p", { class: "empty" }, "No error queues.");
  const sections = await Promise.all(list.queues.map(async q => {
    // The list's counts are the broker's statistics, a few seconds old: the messages themselves are read every time.
    const shown = await api(`/api/admin/dead-letters/${encodeURIComponent(q.queue)}?limit=100`);
    const replay = async body => {
      const result = await api(`/api/admin/dead-letters/${encodeURIComponent(q.queue)}/replay`, { method: "POST", body });
      await render();
      const count = result.replayed.length;
      say(`Replayed ${count} message${count === 1 ? "" : "s"} of ${q.queue} to ${result.faultedOn}${result.notFound.length ? `; not found: ${result.notFound.join(", ")}` : ""}.`);
    };
    const section = el("section", { class: "dead-letter-queue", "data-queue": q.queue },
      el("h2", {}, `${q.queue} → ${q.faultedOn}: ${shown.messages.length} message${shown.messages.length === 1 ? "" : "s"}`),
      table(["", "Message", "Type", "Exception", "Faulted at", "Consumer", "Trace", "Replays"], shown.messages.map(m => el("tr", { "data-message-id": m.messageId },
        el("td", {}, el("input", { type: "checkbox", value: m.messageId, "aria-label": `select ${m.messageId}` })),
        el("td", { class: "sid" }, m.messageId),
        el("td", {}, (m.messageTypes ?? []).map(t => t.split(":").pop()).join(", ")),
        el("td", {}, `${m.exceptionType ?? ""}: ${m.exceptionMessage ?? ""}`),
        el("td", {}, when(m.faultedAt)),
        el("td", {}, m.consumerType ?? ""),
        el("td", {}, traceLink(m.traceId, null, null)),
        el("td", {}, m.replays ?? 0))), "Empty."));
    if (shown.messages.length > 0) {
      section.append(el("div", { class: "toolbar" },
        el("button", { type: "button", class: "replay-selected", onclick: () => {
          const ids = [...section.querySelectorAll("input[type=checkbox]:checked")].map(box => box.value);
          if (ids.length === 0) { say("Select the messages to replay first.", true); return; }
          replay({ messageIds: ids }).catch(failed);
        } }, "Replay selected"),
        el("button", { type: "button", class: "replay-all", onclick: () => replay({ all: true }).catch(failed) }, "Replay all")));
    }
    return section;
  }));
  return sections;
}

const views = { calls, conferences, queues, numbers, recordings, "dead-letters": deadLetters };

// ---------------------------------------------------------------------------------------------------------------

function failed(error) {
  if (error instanceof SignInNeeded) {
    sessionStorage.removeItem(keyName);
    showSignIn(error.message);
    return;
  }
  say(error.message, true);
  main.dataset.loaded = "error";
}

function showSignIn(message) {
  clearInterval(refreshTimer);
  document.getElementById("views").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("sign-in").hidden = false;
  main.replaceChildren();
  main.dataset.loaded = "sign-in";
  say(message, Boolean(message));
}

async function render() {
  const name = location.hash.slice(1).split("?")[0] || "calls";
  const view = views[name] ?? calls;
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.view === name);
  main.dataset.loaded = "";
  const nodes = await view();
  main.replaceChildren(...[nodes].flat());
  main.dataset.view = name;
  main.dataset.loaded = name;
}

function start() {
  document.getElementById("sign-in").hidden = true;
  document.getElementById("views").hidden = false;
  document.getElementById("sign-out").hidden = false;
  say("");
  render().catch(failed);
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => {
    if (location.hash.startsWith("#dead-letters") || document.querySelector("tr.lifecycle")) return;
    render().catch(failed);
  }, refreshMs);
}

document.getElementById("sign-in").addEventListener("submit", event => {
  event.preventDefault();
  const key = document.getElementById("api-key").value.trim();
  if (!key) return;
  sessionStorage.setItem(keyName, key);
  document.getElementById("api-key").value = "";
  start();
});
document.getElementById("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(keyName);
  showSignIn("Signed out.");
});
window.addEventListener("hashchange", () => { if (sessionStorage.getItem(keyName)) { say(""); render().catch(failed); } });

if (sessionStorage.getItem(keyName)) start();
else showSignIn("");
