// The friendhook inspector: a static page over the receiver's /api, no build step, no dependency.
// Everything shown comes from the API as text (textContent, never HTML), since events and callbacks
// carry whatever a provider or a user sent.

const tokenKey = "friendhook-api-token";
const svgNamespace = "http://www.w3.org/2000/svg";
/** How many events the stream view keeps on the page: the oldest leave first. */
const maximumShownEvents = 500;
/** The wait before the stream reconnects after it ended (it ends every half minute, by design). */
const reconnectDelayMs = 1000;
const deliveryRefreshMs = 5000;

const state = {
  token: sessionStorage.getItem(tokenKey) ?? "",
  /** Aborts the running event stream. */
  stream: undefined,
  deliveryTimer: undefined,
  deadLettersNext: undefined,
  unrecognizedNext: undefined,
  decisionsNext: undefined,
};

// ---------------------------------------------------------------- helpers

/** An element with attributes (`class`, `data-*`, …) and children (nodes or text). */
function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const $ = (selector) => document.querySelector(selector);

function jsonBlock(value) {
  return element("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

/** A callback body, pretty-printed when it is JSON. */
function bodyBlock(body) {
  try {
    return jsonBlock(JSON.parse(body));
  } catch {
    return element("pre", { class: "json" }, body);
  }
}

function time(instant) {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? String(instant) : date.toISOString().replace("T", " ").replace("Z", "");
}

function age(milliseconds) {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function userLink(provider, appId, userId) {
  const query = new URLSearchParams({ provider, appId, userId });
  return element("a", { href: `#user?${query}`, class: "user", "data-user": userId }, userId);
}

class Unauthorized extends Error {}

/** A JSON request to the API with the token; a refused token returns to the sign-in form. */
async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${state.token}` } });
  if (response.status === 401) {
    signOut("The server refused this token.");
    throw new Unauthorized();
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

function post(path, body = {}) {
  return api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

function showError(container, error) {
  if (error instanceof Unauthorized) return;
  container.replaceChildren(element("p", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error)));
}

// ---------------------------------------------------------------- sign-in and views

function signOut(reason = "") {
  sessionStorage.removeItem(tokenKey);
  state.token = "";
  stopStream();
  $("#sign-in-error").textContent = reason;
  render();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("#token").value.trim();
  $("#sign-in-error").textContent = "";
  const response = await fetch("/api/events?limit=1", { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    $("#sign-in-error").textContent = response.status === 401 ? "The server refused this token." : `The API answered ${response.status}.`;
    return;
  }
  state.token = token;
  sessionStorage.setItem(tokenKey, token);
  $("#token").value = "";
  render();
}

/** `#user?provider=…` → { view: "user", query }. */
function currentRoute() {
  const [view, query = ""] = location.hash.slice(1).split("?");
  return { view: ["events", "user", "delivery", "unrecognized", "decisions"].includes(view) ? view : "events", query: new URLSearchParams(query) };
}

function render() {
  const signedIn = state.token !== "";
  $("#sign-in").hidden = signedIn;
  $("#views").hidden = !signedIn;
  $("#sign-out").hidden = !signedIn;
  const { view, query } = currentRoute();
  for (const section of document.querySelectorAll(".view")) section.hidden = !signedIn || section.id !== `view-${view}`;
  for (const link of document.querySelectorAll("#views a")) link.classList.toggle("current", link.dataset.view === view);
  clearInterval(state.deliveryTimer);
  if (!signedIn) return;
  if (view === "events") {
    if (!state.stream) startStream();
  } else {
    stopStream();
  }
  if (view === "user") showUser(query);
  if (view === "delivery") {
    void refreshDelivery();
    state.deliveryTimer = setInterval(() => void refreshDelivery(), deliveryRefreshMs);
  }
  if (view === "unrecognized") void loadUnrecognized(true);
  if (view === "decisions") void loadDecisions(true);
}

// ---------------------------------------------------------------- events: the live stream

function streamFilters() {
  const form = new FormData($("#event-filters"));
  const filters = new URLSearchParams();
  for (const [name, value] of form) if (typeof value === "string" && value.trim() !== "") filters.set(name, value.trim());
  return filters;
}

function setStreamStatus(text) {
  const status = $("#stream-status");
  status.textContent = text;
  status.dataset.state = text;
}

function stopStream() {
  state.stream?.abort();
  state.stream = undefined;
}

function startStream() {
  stopStream();
  $("#event-list").replaceChildren();
  const controller = new AbortController();
  state.stream = controller;
  void follow(streamFilters(), controller.signal);
}

/**
 * Reads `/api/events/stream` with fetch, which sends the token in the Authorization header
 * (EventSource cannot), and reconnects from the last cursor when the stream ends.
 */
async function follow(filters, signal) {
  let after;
  while (!signal.aborted) {
    try {
      const query = new URLSearchParams(filters);
      if (after) query.set("after", after);
      setStreamStatus("connecting");
      const response = await fetch(`/api/events/stream?${query}`, { headers: { authorization: `Bearer ${state.token}` }, signal });
      if (response.status === 401) return signOut("The server refused this token.");
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setStreamStatus("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const message = parseMessage(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (message.id) after = message.id;
          if (message.event === "friend-event") showEvent(JSON.parse(message.data));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      setStreamStatus(`reconnecting (${error instanceof Error ? error.message : error})`);
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
  }
}

/** One server-sent event: its `id`, `event` and `data` fields; comments are ignored. */
function parseMessage(text) {
  const message = { id: undefined, event: "message", data: "" };
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = value;
    else if (field === "event") message.event = value;
    else if (field === "data") message.data += message.data === "" ? value : `\n${value}`;
  }
  return message;
}

function showEvent(event) {
  const list = $("#event-list");
  const details = element(
    "details",
    { class: "event", "data-event-id": event.id, "data-type": event.type },
    element(
      "summary",
      {},
      element("time", {}, time(event.occurredAt)),
      element("span", { class: "provider" }, event.provider),
      element("span", { class: "app" }, event.appId),
      element("span", { class: `type type-${event.type.replaceAll(".", "-")}` }, event.type),
      element("span", { class: "pair" }, event.actor, event.mutual ? " ⇄ " : " → ", event.target),
    ),
  );
  details.addEventListener("toggle", () => {
    if (details.open && !details.dataset.loaded) void expandEvent(details, event);
  });
  list.prepend(element("li", {}, details));
  while (list.children.length > maximumShownEvents) list.lastElementChild?.remove();
}

async function expandEvent(details, event) {
  details.dataset.loaded = "true";
  const callback = element("div", { class: "callback" }, element("p", { class: "hint" }, "Loading the callback…"));
  details.append(
    element(
      "div",
      { class: "expanded" },
      element("div", {}, element("h3", {}, "Event"), jsonBlock(event), element("p", {}, "Users: ", userLink(event.provider, event.appId, event.actor), " ", userLink(event.provider, event.appId, event.target))),
      element("div", {}, element("h3", {}, "Source callback"), callback),
    ),
  );
  try {
    const response = await fetch(`/api/events/${encodeURIComponent(event.id)}/callback`, { headers: { authorization: `Bearer ${state.token}` } });
    if (response.status === 404) {
      callback.replaceChildren(element("p", { class: "hint" }, "No callback is kept for this event."));
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { callback: stored } = await response.json();
    callback.replaceChildren(
      element("p", { class: "meta" }, `${stored.command} · received ${time(stored.receivedAt)} · ${stored.id}`),
      bodyBlock(stored.body),
    );
  } catch (error) {
    showError(callback, error);
  }
}

// ---------------------------------------------------------------- a user's relations

function showUser(query) {
  const form = $("#user-form");
  for (const name of ["provider", "appId", "userId"]) if (query.has(name)) form.elements[name].value = query.get(name);
  if (!["provider", "appId", "userId"].every((name) => query.get(name))) {
    $("#user-page").replaceChildren(element("p", { class: "hint" }, "Name a user, or open one from an event."));
    return;
  }
  void loadUser(query);
}

async function loadUser(query) {
  const page = $("#user-page");
  page.replaceChildren(element("p", { class: "hint" }, "Loading…"));
  try {
    const user = await api(`/api/users/relations?${query}`);
    const people = (ids) => (ids.length === 0 ? element("span", { class: "hint" }, "none") : ids.map((id) => userLink(user.provider, user.appId, id)));
    page.replaceChildren(
      element("h2", {}, user.userId, element("span", { class: "hint" }, ` · ${user.provider} · ${user.appId}`)),
      element(
        "dl",
        { class: "figures" },
        element("dt", {}, "Friends"),
        element("dd", { id: "user-friends" }, people(user.friends)),
        element("dt", {}, "Blocks"),
        element("dd", { id: "user-blocked" }, people(user.blocked)),
        element("dt", {}, "Events"),
        element("dd", {}, String(user.events), user.complete ? "" : " (history cut at this many)"),
      ),
      element("h3", {}, "Relation history"),
      element(
        "p",
        { class: "hint" },
        "Each change applies in arrival order unless it is clearly older than one applied before it: its ordering window (its time, widened by the provider's precision and the clock skew) ends where that one's begins. Where times cannot tell, arrival decides.",
      ),
      ...(user.relations.length === 0 ? [element("p", { class: "hint" }, "No relationship event touches this user.")] : user.relations.map(relationBlock)),
    );
  } catch (error) {
    showError(page, error);
  }
}

function relationBlock(relation) {
  const window = (step) => `[${time(step.window.earliest)}, ${time(step.window.latest)})`;
  return element(
    "section",
    { class: "relation", "data-owner": relation.owner, "data-other": relation.other, "data-relation": relation.relation },
    element(
      "h4",
      {},
      relation.relation === "friend" ? `${relation.owner} counts ${relation.other} as a friend: ` : `${relation.owner} blocks ${relation.other}: `,
      element("strong", { class: relation.value ? "holds" : "ended" }, relation.value ? "yes" : "no"),
    ),
    element(
      "table",
      { class: "table steps" },
      element("thead", {}, element("tr", {}, ["#", "Change", "Occurred", "Precision", "Window", "Outcome", "Why"].map((heading) => element("th", {}, heading)))),
      element(
        "tbody",
        {},
        relation.steps.map((step, index) =>
          element(
            "tr",
            { class: `${step.outcome}${step.won ? " won" : ""}`, "data-event-id": step.eventId },
            element("td", {}, String(index + 1)),
            element("td", {}, step.type, element("br"), element("code", {}, step.eventId)),
            element("td", {}, time(step.occurredAt)),
            element("td", {}, step.occurredAtSource),
            element("td", { class: "window" }, window(step)),
            element("td", { class: "outcome" }, step.won ? "won" : step.outcome),
            element("td", { class: "reason" }, step.reason),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- delivery

async function refreshDelivery() {
  try {
    const overview = await api("/api/delivery");
    $("#sinks").replaceChildren(...overview.sinks.map((sink) => sinkCard(sink, overview)));
    $("#delivery-updated").textContent = `as of ${time(overview.now)}`;
    await loadDeadLetters(true);
  } catch (error) {
    showError($("#sinks"), error);
  }
}

function sinkCard(sink, overview) {
  const now = Date.parse(overview.now);
  const delivered = overview.activity.delivered.find((entry) => entry.sink === sink.sink)?.seconds ?? [];
  const figure = (label, value, name) => [element("dt", {}, label), element("dd", { "data-figure": name }, String(value))];
  return element(
    "article",
    { class: "sink", "data-sink": sink.sink },
    element("h3", {}, sink.sink),
    element(
      "dl",
      { class: "figures" },
      figure("Pending", sink.pending, "pending"),
      figure("Oldest pending", sink.oldestPendingReceivedAt ? age(now - Date.parse(sink.oldestPendingReceivedAt)) : "–", "oldest-pending"),
      figure("Retrying", sink.retrying, "retrying"),
      figure("Failed attempts", sink.failedAttempts, "failed-attempts"),
      figure("Dead letters", sink.deadLettered, "dead-lettered"),
    ),
    activityChart(overview.activity.stored, delivered, now, overview.windowMs),
    replayForm(sink.sink, overview.lastSequence),
  );
}

/** Each sink's replay form, kept across refreshes of the cards: what was typed, and the answer, stay. */
const replayForms = new Map();

/** Delivers a range of stored events to this sink again: sequences as the events API counts them. */
function replayForm(sinkName, lastSequence) {
  const form = replayForms.get(sinkName) ?? newReplayForm(sinkName);
  form.elements.namedItem("toSequence").placeholder = lastSequence === null ? "" : `last: ${lastSequence}`;
  return form;
}

function newReplayForm(sinkName) {
  const sequenceInput = (name, label) =>
    element("label", {}, label, " ", element("input", { name, type: "number", min: "0", step: "1", required: true, inputmode: "numeric" }));
  const result = element("span", { class: "hint", "data-replay-result": sinkName, role: "status" });
  const form = element(
    "form",
    { class: "replay-range", "data-replay-sink": sinkName },
    sequenceInput("fromSequence", "From sequence"),
    sequenceInput("toSequence", "to"),
    element("button", { type: "submit" }, "Replay range"),
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    void replayRange(sinkName, Number(data.get("fromSequence")), Number(data.get("toSequence")), result);
  });
  replayForms.set(sinkName, form);
  return form;
}

async function replayRange(sinkName, fromSequence, toSequence, result) {
  try {
    const { replay } = await post(`/api/sinks/${encodeURIComponent(sinkName)}/replay`, { fromSequence, toSequence });
    result.textContent = `replaying ${replay.fromSequence}–${replay.toSequence}`;
  } catch (error) {
    if (!(error instanceof Unauthorized)) result.textContent = error.message;
  }
}

/**
 * Events stored and deliveries completed per second over the window, as two step lines: each
 * point is the busiest second of its 10-second bucket, so one busy second stays visible.
 */
function activityChart(stored, delivered, now, windowMs) {
  const width = 720;
  const height = 150;
  const margin = { left: 36, right: 8, top: 10, bottom: 20 };
  const bucketSeconds = 10;
  const buckets = Math.ceil(windowMs / 1000 / bucketSeconds);
  const firstSecond = Math.floor(now / 1000) - buckets * bucketSeconds + 1;
  const peaks = (seconds) => {
    const values = new Array(buckets).fill(0);
    for (const { second, count } of seconds) {
      const index = Math.floor((second - firstSecond) / bucketSeconds);
      if (index >= 0 && index < buckets) values[index] = Math.max(values[index], count);
    }
    return values;
  };
  const storedPeaks = peaks(stored);
  const deliveredPeaks = peaks(delivered);
  const top = Math.max(1, ...storedPeaks, ...deliveredPeaks);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (index) => margin.left + (index / buckets) * plotWidth;
  const y = (value) => margin.top + plotHeight - (value / top) * plotHeight;
  const path = (values) => values.map((value, index) => `${index === 0 ? "M" : "L"}${x(index).toFixed(1)},${y(value).toFixed(1)} H${x(index + 1).toFixed(1)}`).join(" ");
  const total = (seconds) => seconds.reduce((sum, entry) => sum + entry.count, 0);
  return element(
    "figure",
    { class: "chart" },
    svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Events stored and delivered per second over the last hour", class: "activity" },
      svg("line", { x1: margin.left, y1: y(0), x2: width - margin.right, y2: y(0), class: "axis" }),
      svg("line", { x1: margin.left, y1: margin.top, x2: margin.left, y2: y(0), class: "axis" }),
      svg("text", { x: margin.left - 4, y: margin.top + 4, class: "label end" }, `${top}/s`),
      svg("text", { x: margin.left - 4, y: y(0), class: "label end" }, "0"),
      svg("text", { x: margin.left, y: height - 4, class: "label" }, "1 h ago"),
      svg("text", { x: width - margin.right, y: height - 4, class: "label end" }, "now"),
      svg("path", { d: path(storedPeaks), class: "stored" }),
      svg("path", { d: path(deliveredPeaks), class: "delivered" }),
    ),
    element(
      "figcaption",
      {},
      element("span", { class: "key stored" }, `stored (${total(stored)} in the hour)`),
      " ",
      element("span", { class: "key delivered" }, `delivered (${total(delivered)} in the hour)`),
      element("span", { class: "hint" }, " · per second, the busiest second of each 10 s"),
    ),
  );
}

async function loadDeadLetters(fromStart) {
  const body = $("#dead-letters tbody");
  const query = new URLSearchParams({ limit: "50" });
  if (!fromStart && state.deadLettersNext) query.set("after", state.deadLettersNext);
  const page = await api(`/api/dead-letters?${query}`);
  if (fromStart) body.replaceChildren();
  state.deadLettersNext = page.next ?? undefined;
  $("#more-dead-letters").hidden = page.deadLetters.length < 50;
  if (fromStart && page.deadLetters.length === 0) body.append(element("tr", {}, element("td", { colspan: 7, class: "hint" }, "No dead letters.")));
  for (const letter of page.deadLetters) {
    const replay = element("button", { type: "button", class: "replay", "data-delivery-id": letter.deliveryId }, "Replay");
    replay.addEventListener("click", () => void replayDeadLetters(new URLSearchParams({ deliveryId: letter.deliveryId })));
    body.append(
      element(
        "tr",
        { class: "dead-letter", "data-delivery-id": letter.deliveryId, "data-sink": letter.sink },
        element("td", {}, letter.sink),
        element("td", {}, letter.event.type, element("br"), element("code", {}, letter.event.id)),
        element("td", {}, letter.event.actor, " → ", letter.event.target),
        element("td", {}, String(letter.attempts)),
        element("td", { class: "error-text" }, letter.lastError),
        element("td", {}, time(letter.deadLetteredAt)),
        element("td", {}, replay),
      ),
    );
  }
}

async function replayDeadLetters(query) {
  try {
    const { replayed } = await post(`/api/dead-letters/replay?${query}`);
    $("#replay-result").textContent = `${replayed} replayed`;
    await refreshDelivery();
  } catch (error) {
    if (!(error instanceof Unauthorized)) $("#replay-result").textContent = error.message;
  }
}

// ---------------------------------------------------------------- unrecognized callbacks

async function loadUnrecognized(fromStart) {
  const body = $("#unrecognized tbody");
  try {
    const query = new URLSearchParams({ limit: "50" });
    if (!fromStart && state.unrecognizedNext) query.set("after", state.unrecognizedNext);
    const page = await api(`/api/unrecognized?${query}`);
    if (fromStart) body.replaceChildren();
    state.unrecognizedNext = page.next ?? undefined;
    $("#more-unrecognized").hidden = page.unrecognized.length < 50;
    if (fromStart && page.unrecognized.length === 0) body.append(element("tr", {}, element("td", { colspan: 6, class: "hint" }, "None.")));
    for (const callback of page.unrecognized) {
      body.append(
        element(
          "tr",
          { class: "unrecognized", "data-callback-id": callback.id },
          element("td", {}, time(callback.receivedAt)),
          element("td", {}, callback.provider),
          element("td", {}, callback.appId),
          element("td", {}, element("code", {}, callback.command)),
          element("td", {}, callback.unrecognizedReason ?? ""),
          element("td", {}, element("details", {}, element("summary", {}, "body"), bodyBlock(callback.body))),
        ),
      );
    }
  } catch (error) {
    showError(body, error);
  }
}

// ---------------------------------------------------------------- decisions about friend requests

/** `request`, or for a response whether it accepts. */
function stageText(decision) {
  if (decision.stage !== "response" || decision.accepting === undefined) return decision.stage;
  return decision.accepting ? "response (accepts)" : "response (declines)";
}

async function loadDecisions(fromStart) {
  const body = $("#decisions tbody");
  try {
    const query = new URLSearchParams({ limit: "50" });
    for (const [name, value] of new FormData($("#decision-filters"))) {
      if (typeof value === "string" && value.trim() !== "") query.set(name, value.trim());
    }
    if (!fromStart && state.decisionsNext) query.set("after", state.decisionsNext);
    const page = await api(`/api/decisions?${query}`);
    if (fromStart) body.replaceChildren();
    state.decisionsNext = page.next ?? undefined;
    $("#more-decisions").hidden = page.decisions.length < 50;
    if (fromStart && page.decisions.length === 0) body.append(element("tr", {}, element("td", { colspan: 10, class: "hint" }, "None.")));
    for (const decision of page.decisions) {
      body.append(
        element(
          "tr",
          { class: "decision", "data-decision-id": decision.id },
          element("td", {}, time(decision.decidedAt)),
          element("td", {}, decision.provider),
          element("td", {}, decision.appId),
          element("td", {}, stageText(decision)),
          element("td", {}, decision.actor),
          element("td", {}, decision.target),
          element("td", { class: decision.allow ? "allowed" : "denied" }, decision.allow ? "allowed" : "denied"),
          element("td", {}, element("code", {}, decision.decidedBy)),
          element("td", {}, decision.reason ?? ""),
          element("td", {}, decision.code === undefined ? "" : String(decision.code)),
        ),
      );
    }
  } catch (error) {
    showError(body, error);
  }
}

// ---------------------------------------------------------------- start

$("#token-form").addEventListener("submit", (event) => void signIn(event));
$("#sign-out").addEventListener("click", () => signOut());
$("#event-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  startStream();
});
$("#user-form").addEventListener("submit", (event) => {
  event.preventDefault();
  location.hash = `user?${new URLSearchParams(new FormData(event.target))}`;
});
$("#refresh-delivery").addEventListener("click", () => void refreshDelivery());
$("#replay-all").addEventListener("click", () => void replayDeadLetters(new URLSearchParams()));
$("#more-dead-letters").addEventListener("click", () => void loadDeadLetters(false));
$("#more-unrecognized").addEventListener("click", () => void loadUnrecognized(false));
$("#decision-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadDecisions(true);
});
$("#more-decisions").addEventListener("click", () => void loadDecisions(false));
window.addEventListener("hashchange", render);
render();
