// The Relata playground: edits a validation file in three panes and asks the server's public
// API about it. /relata/v1/schema/validate gives the schema's errors as you type;
// /relata/v1/validation/run evaluates the whole file (assertions, checks, expands) in memory on
// the server, the way `relata validate` does, and writes nothing. No framework, no build step.
"use strict";

const $ = (id) => document.getElementById(id);

const EXAMPLE = {
  schema: "definition user {}\n\ndefinition doc {\n    relation owner: user\n    relation viewer: user\n"
    + "    permission view = viewer + owner\n}\n",
  relationships: "doc:readme#owner@user:alice\ndoc:readme#viewer@user:bob\n",
  assertions: "assertions:\n  assertTrue:\n    - doc:readme#view@user:alice\n    - doc:readme#view@user:bob\n"
    + "  assertFalse:\n    - doc:readme#view@user:carol\nvalidation:\n  doc:readme#view:\n"
    + "    - \"[user:alice] is <doc:readme#owner>\"\n    - \"[user:bob] is <doc:readme#viewer>\"\n",
};

// ---- talking to the server -------------------------------------------------------------------

/** POSTs JSON to a public endpoint with the page's token; gives the answer or throws its message. */
async function post(path, body) {
  const token = $("token").value.trim() || "playground";
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer " + token },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ message: response.statusText }));
  if (!response.ok) {
    const hint = response.status === 401 ? " (give the server's preshared key or an API key as the token)" : "";
    throw new Error((answer.message || "HTTP " + response.status) + hint);
  }
  return answer;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

// ---- the validation file ---------------------------------------------------------------------

/** A YAML block scalar of `text` under `key` (indented by two; explicit when the text starts indented). */
function block(key, text) {
  const body = text.replace(/\s+$/, "");
  if (body === "") return key + ': ""\n';
  const first = body.split("\n").find((l) => l.trim() !== "") || "";
  const header = /^\s/.test(first) ? "|2-" : "|-";
  return key + ": " + header + "\n" + body.split("\n").map((l) => (l === "" ? "" : "  " + l)).join("\n") + "\n";
}

/** The validation file the panes make, and the file line the assertions pane starts on. */
function composed() {
  const schema = block("schema", $("schema").value);
  const relationships = block("relationships", $("relationships").value);
  const head = schema + relationships;
  return { text: head + $("assertions").value, assertionsLine: head.split("\n").length };
}

/** The assertions pane's YAML for a parsed file (comments are not kept). */
function assertionsYaml(file) {
  let out = "";
  const kinds = Object.keys(file.assertions);
  if (kinds.length > 0) {
    out += "assertions:\n";
    for (const kind of kinds) {
      out += "  " + kind + ":\n" + file.assertions[kind].map((a) => "    - " + JSON.stringify(a) + "\n").join("");
    }
  }
  const resources = Object.keys(file.validation);
  if (resources.length > 0) {
    out += "validation:\n";
    for (const r of resources) {
      out += "  " + JSON.stringify(r) + ":\n" + file.validation[r].map((s) => "    - " + JSON.stringify(s) + "\n").join("");
    }
  }
  return out;
}

// ---- schema errors as you type -----------------------------------------------------------------

let validating = 0;
let typingTimer = null;

function schemaChanged() {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(validateSchema, 250);
}

async function validateSchema() {
  const asked = ++validating;
  const text = $("schema").value;
  try {
    const answer = await post("/relata/v1/schema/validate", { schema: text });
    if (asked === validating) showDiagnostics(text, answer.diagnostics);
  } catch (e) {
    if (asked === validating) status(e.message, true);
  }
}

/** The UTF-16 offset in `text` of a 1-based line and code-point column (the schema compiler counts code points). */
function offsetOf(text, line, column) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  const chars = Array.from(lines[Math.min(line, lines.length) - 1] || "");
  return offset + chars.slice(0, Math.max(0, column - 1)).join("").length;
}

/** Where each diagnostic's text starts and ends (UTF-16 offsets, end exclusive); null without a position. */
function rangeOf(text, d) {
  if (!d.line) return null;
  const start = offsetOf(text, d.line, d.column);
  const end = d.endLine ? offsetOf(text, d.endLine, d.endColumn + 1) : start + 1;
  return { start, end: Math.max(end, start + 1) };
}

function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function showDiagnostics(text, diagnostics) {
  const ranges = diagnostics.map((d) => ({ d, range: rangeOf(text, d) })).filter((x) => x.range)
    .sort((a, b) => a.range.start - b.range.start);
  let html = "";
  let at = 0;
  for (const { d, range } of ranges) {
    if (range.start < at) continue; // overlapping marks: the first one shows
    const marked = text.slice(range.start, range.end);
    html += escapeHtml(text.slice(at, range.start)) + '<mark class="' + d.severity + '">'
      + (marked === "" || marked === "\n" ? " " : escapeHtml(marked)) + "</mark>" + (marked === "\n" ? "\n" : "");
    at = range.end;
  }
  $("schema-marks").innerHTML = html + escapeHtml(text.slice(at)) + "\n";
  syncScroll();
  const list = $("diagnostics");
  list.replaceChildren();
  if (diagnostics.length === 0) {
    const ok = document.createElement("li");
    ok.className = "ok";
    ok.textContent = "The schema compiles.";
    list.append(ok);
  }
  for (const d of diagnostics) {
    const item = document.createElement("li");
    item.className = d.severity;
    item.dataset.line = d.line;
    item.dataset.column = d.column;
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = d.line ? d.line + ":" + d.column : "schema";
    item.append(where, d.message);
    item.title = "Select it in the schema";
    item.addEventListener("click", () => {
      const range = rangeOf($("schema").value, d);
      if (range) {
        $("schema").focus();
        $("schema").setSelectionRange(range.start, range.end);
      }
    });
    list.append(item);
  }
}

function syncScroll() {
  $("schema-marks").scrollTop = $("schema").scrollTop;
  $("schema-marks").scrollLeft = $("schema").scrollLeft;
}

// ---- running the file ----------------------------------------------------------------------

const PERMISSIONSHIP = {
  PERMISSIONSHIP_HAS_PERMISSION: ["has", "has permission"],
  PERMISSIONSHIP_NO_PERMISSION: ["no", "no permission"],
  PERMISSIONSHIP_CONDITIONAL_PERMISSION: ["conditional", "conditional: it depends on "],
};

/** Runs the file, with the given extra checks and expands; gives the answer, or null after showing why not. */
async function runFile(extra = {}) {
  const file = composed();
  let answer;
  try {
    answer = await post("/relata/v1/validation/run", { validationFile: file.text, ...extra });
  } catch (e) {
    status(e.message, true);
    return null;
  }
  showDiagnostics($("schema").value, answer.schemaDiagnostics);
  if (!answer.results) {
    status("The schema has errors; fix them to run the assertions.", true);
    return null;
  }
  showResults(answer.results, file.assertionsLine);
  const failed = answer.results.filter((r) => !r.holds).length;
  status(answer.relationships + " relationships, " + answer.results.length + " assertions: "
    + (failed === 0 ? "all hold" : failed + " failed"), failed > 0);
  return answer;
}

function showResults(results, firstLine) {
  const list = $("results");
  list.replaceChildren();
  for (const r of results) {
    const item = document.createElement("li");
    item.className = r.holds ? "pass" : "fail";
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = (r.holds ? "✓ " : "✗ ") + "line " + (r.line - firstLine + 1);
    item.append(where, r.kind + " " + r.text);
    if (!r.holds) {
      const why = document.createElement("span");
      why.className = "failure";
      why.textContent = r.failure;
      item.append(why);
    }
    list.append(item);
  }
}

async function check(event) {
  event.preventDefault();
  const question = $("check").value.trim();
  if (!question) return;
  const answer = await runFile({ checks: [question] });
  if (!answer) return;
  const c = answer.checks[0];
  const out = $("check-result");
  if (c.error) {
    out.className = "no";
    out.textContent = c.error.message;
    return;
  }
  const [kind, text] = PERMISSIONSHIP[c.permissionship] || ["", c.permissionship];
  out.className = kind;
  out.textContent = question + ": " + text + (kind === "conditional" ? c.missingContext.join(", ") : "");
}

async function expand(event) {
  event.preventDefault();
  const resource = $("expand").value.trim();
  if (!resource) return;
  const answer = await runFile({ expand: [resource] });
  if (!answer) return;
  const e = answer.expand[0];
  const out = $("expand-tree");
  out.replaceChildren();
  if (e.error) {
    out.textContent = e.error.message;
    return;
  }
  const root = document.createElement("ul");
  root.className = "tree";
  root.append(treeNode(e.treeRoot));
  out.append(root);
}

const ref = (o) => o.objectType + ":" + o.objectId;

/** One node of an expand tree (SpiceDB's PermissionRelationshipTree) as a list item. */
function treeNode(node) {
  const item = document.createElement("li");
  const details = document.createElement("details");
  details.open = true;
  const summary = document.createElement("summary");
  summary.textContent = ref(node.expandedObject) + "#" + node.expandedRelation;
  details.append(summary);
  const children = document.createElement("ul");
  if (node.intermediate) {
    const op = document.createElement("span");
    op.className = "op";
    op.textContent = node.intermediate.operation.replace("OPERATION_", "");
    summary.append(op);
    node.intermediate.children.forEach((c) => children.append(treeNode(c)));
  } else {
    for (const s of node.leaf.subjects) {
      const leaf = document.createElement("li");
      leaf.className = "subject";
      leaf.textContent = ref(s.object) + (s.optionalRelation ? "#" + s.optionalRelation : "");
      children.append(leaf);
    }
  }
  details.append(children);
  item.append(details);
  return item;
}

// ---- load and save -------------------------------------------------------------------------

async function load(event) {
  const chosen = event.target.files[0];
  if (!chosen) return;
  const text = await chosen.text();
  event.target.value = "";
  let answer;
  try {
    answer = await post("/relata/v1/validation/run", { validationFile: text });
  } catch (e) {
    status(chosen.name + ": " + e.message, true);
    return;
  }
  $("schema").value = answer.file.schema;
  $("relationships").value = answer.file.relationships.join("\n") + "\n";
  $("assertions").value = assertionsYaml(answer.file);
  status("Loaded " + chosen.name + ".");
  await runFile();
}

function save() {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([composed().text], { type: "application/yaml" }));
  link.download = "validation.yaml";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// ---- start ---------------------------------------------------------------------------------

function start() {
  $("schema").value = EXAMPLE.schema;
  $("relationships").value = EXAMPLE.relationships;
  $("assertions").value = EXAMPLE.assertions;
  $("token").value = sessionStorage.getItem("relata-token") || "";
  $("token").addEventListener("change", () => sessionStorage.setItem("relata-token", $("token").value));
  $("schema").addEventListener("input", schemaChanged);
  $("schema").addEventListener("scroll", syncScroll);
  $("run").addEventListener("click", () => runFile());
  $("check-form").addEventListener("submit", check);
  $("expand-form").addEventListener("submit", expand);
  $("load").addEventListener("change", load);
  $("save").addEventListener("click", save);
  status("Edit the schema, the relationships and the assertions, then run them.");
  validateSchema();
}

start();
