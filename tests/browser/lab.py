"""JupyterLab in headless Chromium, as a learner sees it: start the server, open a notebook, Run All, find
every widget and every control in the page, drive a control and time the redraw.

Used by tests/browser/ only (``make test-browser``). The browser is the system's Chromium (Debian's
``chromium`` package) driven by Playwright through ``executable_path``: never ``playwright install``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTINGS = {  # written to the server's throw-away JUPYTERLAB_SETTINGS_DIR
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # JupyterLab's default, as a learner has it: every cell in the page, the ones off screen skipped by the browser's
    # rendering (CSS content-visibility). "none" renders all of a long notebook at each frame: a chapter's toggle
    # that shows or hides a control then costs ~50 ms more than a learner sees. Text off screen reads as "" through
    # innerText: WIDGETS_JS reads textContent; a widget's controls are read once it was scrolled into view.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "contentVisibility"},
}
# A widget shown as its text fallback (the widget extension is missing): "IntSlider(value=3, ...)".
WIDGET_REPR = re.compile(r"^(interactive|[A-Z]\w*(Slider|Box|Output|Text|Textarea|Dropdown|Button|Checkbox|"
                         r"Select\w*|Progress|Picker|Tab|Accordion|Play|Label|HTML|HTMLMath|Image|Toggle\w*|"
                         r"RadioButtons|Combobox|Valid|Stack|GridBox|Explorer|\w*Dashboard))\(")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)


def find_chromium() -> str | None:
    """The system Chromium: $CHROMIUM, else chromium (or chromium-browser) on PATH."""
    names = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else ["chromium", "chromium-browser"]
    return next(filter(None, map(shutil.which, names)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A JupyterLab serving ``root`` on 127.0.0.1 with a random token; ``stop()`` ends it by its process group."""

    root: Path
    tmp: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.tmp / "server.log"

    def start(self, limit: float = 90) -> None:
        for name, values in SETTINGS.items():
            path = self.tmp / "settings" / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        pythonpath = os.pathsep.join(filter(None, [str(self.root), os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(self.tmp / "settings"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "ws"),
                   JUPYTER_CONFIG_DIR=str(self.tmp / "config"), PYTHONPATH=pythonpath)  # this checkout's utils
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", f"--FileCheckpoints.checkpoint_dir={self.tmp / 'checkpoints'}",
               "--LabApp.expose_app_in_browser=True"]
        with open(self.log_path, "w") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        end = time.time() + limit
        while time.time() < end and self.proc.poll() is None:
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not start. Server log:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def url(self, notebook: str) -> str:
        """The notebook alone in the page (``reset``: the previous page's open notebooks are not restored)."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{urllib.parse.quote(notebook)}?reset&token={self.token}"

    def shut_down_kernels(self) -> None:
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: jupyter_server shuts its kernels down and exits
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a kernel left in the server's process group, if any
        except (ProcessLookupError, PermissionError):
            pass


# ---------------------------------------------------------------------------------------------- in the page

STATE_JS = """(path) => {  // kernel status, queued cells [*], and the code cells of the notebook model
  const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  if (!panel || !panel.content || !panel.content.model) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const queued = [...panel.node.querySelectorAll('.jp-InputPrompt')].filter(p => /\\*/.test(p.textContent));
  const text = s => [].concat(s).join('');
  const cells = panel.content.model.toJSON().cells.map((c, i) => c.cell_type !== 'code' ? null : {
    index: i + 1, count: c.execution_count, empty: !text(c.source).trim(),
    errors: c.outputs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`),
    stderr: c.outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr').map(o => text(o.text))});
  return {kernel: kernel ? kernel.status : 'none', queued: queued.length, cells: cells.filter(Boolean)};
}"""

CONTROLS = ('.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, '
            'button.widget-button:not(.widget-toggle-button)')

# Every widget view in the notebook's outputs (the widget renderer sets no data-mime-type on its node), each
# with its controls, tagged data-bt-widget / data-bt-control for the locators; plus what did not render.
WIDGETS_JS = """([path, controls]) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const nb = panel.node, txt = e => (e.textContent || '').trim();
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const views = [...nb.querySelectorAll('.jp-OutputArea-output:not([data-mime-type])')];
  const bad = views.filter(v => v.querySelector('.jupyter-widgets-error-widget')
                               || /^(Loading widget|Error displaying widget)/.test(txt(v)));
  const widgets = views.filter(v => !bad.includes(v) && v.querySelector(':scope > .jupyter-widgets')
                                    && !v.parentElement.closest('.jupyter-widgets'));  // not one inside another
  return {
    broken: bad.map(v => txt(v).split('\\n')[0] || 'JavaScript error widget'),
    plain: [...nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="text/plain"]')].map(txt),
    widgets: widgets.map((v, w) => {
      v.dataset.btWidget = w;
      const cell = cells.indexOf(v.closest('.jp-Cell'));
      const source = panel.content.widgets[cell].model.sharedModel.getSource().trim().split('\\n');
      return {widget: w, cell: cell + 1, code: source[source.length - 1].slice(0, 60),
              controls: [...v.querySelectorAll(controls)].map((c, i) => { c.dataset.btControl = i; return i; })};
    })};
}"""

# What a control is and where it stands (read before each change).
CONTROL_JS = """(c) => {
  const labels = [...c.querySelectorAll(':scope > .widget-label, :scope .widget-label-basic')]
    .map(l => l.innerText.replace(/[\\u200b\\s]+/g, ' ').trim()).filter(Boolean);  // a checkbox: the second
  const visible = !!(c.offsetParent || c.getClientRects().length);
  const base = {visible, label: labels.length ? labels[0] : ''};
  if (c.classList.contains('widget-slider')) {
    const h = [...c.querySelectorAll('.noUi-handle')], readout = c.querySelector('.widget-readout');
    return {...base, kind: 'slider', real: h.length > 0, disabled: !!c.querySelector('[disabled]'),
            handles: h.map(x => ({now: +x.getAttribute('aria-valuenow'), max: +x.getAttribute('aria-valuemax')})),
            value: readout ? readout.innerText.trim() : ''};
  }
  if (c.classList.contains('widget-dropdown')) {
    const s = c.querySelector('select');
    return {...base, kind: 'dropdown', real: !!s && s.options.length > 1, disabled: !!s && s.disabled,
            index: s ? s.selectedIndex : -1, n: s ? s.options.length : 0,
            value: s && s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : ''};
  }
  if (c.classList.contains('widget-toggle-buttons')) {
    const b = [...c.querySelectorAll('button')], i = b.findIndex(x => x.classList.contains('mod-active'));
    return {...base, kind: 'toggle', real: b.length > 1, disabled: b.some(x => x.disabled), index: i, n: b.length,
            value: i >= 0 ? b[i].innerText.trim() || b[i].title : ''};
  }
  if (c.classList.contains('widget-checkbox')) {
    const i = c.querySelector('input[type=checkbox]');
    return {...base, kind: 'checkbox', real: !!i, disabled: !!i && i.disabled, value: i && i.checked ? 'on' : 'off'};
  }
  return {...base, kind: 'button', real: c.tagName === 'BUTTON', disabled: c.disabled,
          label: c.innerText.trim() || c.title, value: ''};
}"""

# Timing, in the page's own clock (performance.now), so that how often Python looks does not enter the figure.
# Start: the first event of the change that the control acts on — a key (a slider's handle), a click (a button,
# toggle buttons, a checkbox: the click, at the release, not the press before it) or input/change (a menu).
# End: the last time the widget's output changed after it, outside its controls: an image's paint (the Element
# Timing renderTime of the frame that first shows the new image; Chromium reports one for each new source of an
# <img elementtiming>), or the image's load event when no paint is reported (an image outside the viewport), or
# a DOM change of its text or an image source. Everything in between is in the figure: the websocket to the
# server and the kernel, the kernel's callback (compute, draw, PNG), the message back, the image's decoding.
TRACK_JS = """(root, controls) => {
  const w = window.__bt || (window.__bt = {input: 0, output: 0, first: 0, observers: []});
  if (!w.listening) {
    for (const t of ['keydown', 'click', 'input', 'change'])
      document.addEventListener(t, () => { if (!w.input) w.input = performance.now(); }, true);
    w.listening = true;
  }
  w.observers.forEach(o => o.disconnect());
  const outside = n => { const e = n.nodeType === 1 ? n : n.parentElement; return !e || !e.closest(controls); };
  const seen = t => {  // the last output change after the input, and the first (a training's part-way image)
    if (!w.input || t <= w.input) return;
    if (t > w.output) w.output = t;
    if (!w.first || t < w.first) w.first = t;
  };
  const tag = () => root.querySelectorAll('img:not([elementtiming])')
    .forEach(i => i.setAttribute('elementtiming', 'bt'));
  tag();
  const o = new MutationObserver(ms => { tag(); if (ms.some(m => outside(m.target))) seen(performance.now()); });
  o.observe(root, {subtree: true, childList: true, characterData: true, attributes: true,
                   attributeFilter: ['src', 'style']});
  root.addEventListener('load', e => { if (e.target.tagName === 'IMG') seen(performance.now()); }, true);
  const p = new PerformanceObserver(list => list.getEntries().forEach(e => {
    if (e.element && root.contains(e.element)) seen(e.renderTime || e.loadTime); }));
  p.observe({type: 'element'});
  w.observers = [o, p];
}"""

ARM_JS = "() => { window.__bt.input = 0; window.__bt.output = 0; window.__bt.first = 0; }"

# Settled: the kernel idle, every image decoded, and quiet for `quiet` ms since the change's input and its
# last output change; or nothing changed `giveup` ms after the input.
SETTLED_JS = """([path, root, quiet, giveup]) => {
  const w = window.__bt, now = performance.now();
  if (!w.input) return false;
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(p => p.context && p.context.path === path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const idle = kernel && kernel.status === 'idle';
  const loading = [...root.querySelectorAll('img')].some(i => !i.complete);
  if (w.output > w.input) return idle && !loading && now - w.output >= quiet && now - w.input >= quiet;
  return idle && now - w.input >= giveup;
}"""

RESULT_JS = "() => ({input: window.__bt.input, output: window.__bt.output, first: window.__bt.first})"

# The widget's output, the controls left out: its text and the sources of its images.
SIGNATURE_JS = """(root, controls) => {
  const copy = root.cloneNode(true);
  copy.querySelectorAll(controls).forEach(c => c.remove());
  return copy.innerText + '|' + [...root.querySelectorAll('img')].map(i => i.src).join(' ');
}"""

# Problems shown inside a widget: a JavaScript error widget, stderr or a traceback in an Output widget, an
# explorer's "Cannot draw this" status line.
PROBLEMS_JS = """(root) => [
  ...[...root.querySelectorAll('.jupyter-widgets-error-widget')].map(e => 'widget error: ' + e.innerText),
  ...[...root.querySelectorAll('[data-mime-type$="stderr"], [data-mime-type$="error"]')].map(e => e.innerText),
  ...[...root.querySelectorAll('.widget-html')].map(e => e.innerText).filter(t => /Cannot draw this/.test(t))]"""


def summary(text: str) -> str:
    """The line that says what happened: the last line of a traceback, else the first line."""
    lines = [line for line in text.strip().splitlines() if line.strip()] or [""]
    return lines[-1] if TRACEBACK.search(text) else lines[0]


def dismiss_dialogs(page, seen: list) -> None:
    """Accept any dialog (e.g. "Select Kernel"), noting its title."""
    for dialog in page.locator(".jp-Dialog").all():
        try:
            seen.append(dialog.locator(".jp-Dialog-header").inner_text(timeout=1000).strip())
            dialog.locator(".jp-mod-accept").first.click(timeout=2000)
        except Exception:  # the dialog closed meanwhile
            pass


def poll(page, path: str, seen: list, until, limit: float, quiet: float = 1.0):
    """Read STATE_JS every 0.25 s until ``until(state)`` has held for ``quiet`` seconds: (state, ok)."""
    end, since, state = time.time() + limit, None, None
    while time.time() < end:
        dismiss_dialogs(page, seen)
        state = page.evaluate(STATE_JS, path)
        since = (since or time.time()) if state and until(state) else None
        if since and time.time() - since >= quiet:
            return state, True
        page.wait_for_timeout(250)
    return state, False


def run_all(page, path: str, seen: list, limit: float):
    """Wait for the kernel, click Run > Run All Cells, wait until idle with no cell queued: (state, finished)."""
    state, ok = poll(page, path, seen, lambda s: s["kernel"] == "idle", min(limit, 120))
    if not ok:
        raise RuntimeError(f"the notebook's kernel did not start (status: {state and state['kernel']})")
    page.locator('.lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is("Run"))').click()
    page.locator('.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("Run All Cells"))').click()
    poll(page, path, seen, lambda s: s["queued"] or s["kernel"] == "busy" or any(c["count"] for c in s["cells"]),
         15, quiet=0)
    return poll(page, path, seen, lambda s: s["kernel"] == "idle" and not s["queued"], limit, quiet=1.5)


def find_widgets(page, path: str, limit: float = 20) -> dict:
    """WIDGETS_JS once no widget says "Loading widget..." (or after ``limit`` s); text fallbacks in "broken"."""
    end = time.time() + limit
    info = page.evaluate(WIDGETS_JS, [path, CONTROLS])
    while time.time() < end and any(b.startswith("Loading widget") for b in info["broken"]):
        page.wait_for_timeout(250)
        info = page.evaluate(WIDGETS_JS, [path, CONTROLS])
    info["broken"] += [t.splitlines()[0] for t in info["plain"] if WIDGET_REPR.match(t)]
    return info


def slider_moves(info: dict, steps: int) -> list[tuple[int, str]]:
    """(handle, key) presses that move a slider ``steps`` steps away (a range slider's handles in turn; left
    from the end of its range) and then back to where it was: the widget's next controls start from the
    notebook's settings (a stride left at 4 hides what a kernel weight does)."""
    away = []
    for k in range(steps):
        h = k % len(info["handles"])
        at_end = info["handles"][h]["now"] >= info["handles"][h]["max"]
        away.append((h, "ArrowLeft" if at_end else "ArrowRight"))
    back = {"ArrowLeft": "ArrowRight", "ArrowRight": "ArrowLeft"}
    return away + [(h, back[key]) for h, key in reversed(away)]


def change(page, control, info: dict, move: tuple[int, str] | None = None, to: int | None = None) -> None:
    """One user action on ``control`` that changes its value: a slider's handle ``move[0]`` one step with the
    arrow key ``move[1]``, the next option of a dropdown or toggle buttons (option ``to`` if given), a
    checkbox flipped, a button clicked."""
    kind = info["kind"]
    if to is not None:
        info = {**info, "index": (to - 1) % info["n"]}
    if kind == "slider":
        h, key = move or slider_moves(info, 1)[0]
        handle = control.locator(".noUi-handle").nth(h)
        handle.focus()
        handle.press(key)
    elif kind == "dropdown":
        control.locator("select").select_option(index=(info["index"] + 1) % info["n"])
    elif kind == "toggle":
        control.locator("button").nth((info["index"] + 1) % info["n"]).click()
    elif kind == "checkbox":
        control.locator("input[type=checkbox]").click()
    else:
        control.click()


@dataclass
class Change:
    """One change of a control: the value before and after, the time to the redrawn output (None: no change) and
    to its first change (the same, unless the output changed several times: a training drawn part-way first)."""

    before: str
    after: str
    ms: float | None
    changed: bool
    problems: list
    first_ms: float | None = None


def drive(page, path: str, root, control, move: tuple[int, str] | None = None, to: int | None = None, *,
          quiet: float = 150, giveup: float = 3000, limit: float = 180) -> Change:
    """Change ``control`` once (``change``) and wait until its widget ``root`` settled: the time from the input
    event to the last change of the widget's output, whether the output changed, problems shown in it."""
    info = control.evaluate(CONTROL_JS)
    signature = root.evaluate(SIGNATURE_JS, CONTROLS)
    page.evaluate(ARM_JS)
    change(page, control, info, move, to)
    page.wait_for_function(SETTLED_JS, arg=[path, root.element_handle(), quiet, giveup], polling=20,
                           timeout=limit * 1000)
    times = page.evaluate(RESULT_JS)
    after = control.evaluate(CONTROL_JS)
    ms = times["output"] - times["input"] if times["output"] > times["input"] else None
    first = times["first"] - times["input"] if ms is not None and times["first"] > times["input"] else None
    changed = root.evaluate(SIGNATURE_JS, CONTROLS) != signature
    return Change(info["value"], after["value"], ms, changed, root.evaluate(PROBLEMS_JS), first)


# A widget's first touch: a learner's first click into a cell that is not JupyterLab's active cell makes it the
# active one (the notebook's mousedown handler, then a scroll and a frame: 70–145 ms of the page's own work in the
# course's notebooks, the same for any widget: 140 ms for a plain IntSlider in a long notebook, 16 ms once its cell
# is active). Timed on its own by Event Timing (from the pointer event to the next paint after its handlers) and
# kept out of the controls' figures (``touch_widget``).
EVENTS_JS = """() => {  // start collecting Event Timing entries (>= 16 ms, the smallest threshold allowed)
  const w = window.__bt;
  w.events = [];
  if (!w.eventObserver) {
    w.eventObserver = new PerformanceObserver(list => list.getEntries()
      .forEach(e => window.__bt.events.push({name: e.name, start: e.startTime, end: e.startTime + e.duration})));
    w.eventObserver.observe({type: 'event', durationThreshold: 16});
  }
}"""

# Where to click to make the widget's cell the active one without touching a control: its first visible image
# (an explorer's figure; an image has no click action), else the widget's box at its bottom right corner.
# The point is taken in the part of it inside the window (a tall widget may reach below it).
TOUCH_TARGET_JS = """(root) => {
  const inView = e => { const b = e.getBoundingClientRect();
    const top = Math.max(b.top, 0), bottom = Math.min(b.bottom, window.innerHeight);
    return bottom - top > 6 && b.width > 6 ? {left: b.left, right: b.right, top, bottom} : null; };
  const img = [...root.querySelectorAll('img')].find(i => inView(i));
  const box = inView(img || root) || inView(root);
  if (!box) return null;
  return img ? {x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2, what: 'image'}
             : {x: box.right - 3, y: box.bottom - 3, what: 'widget box'};
}"""


def touch_widget(page, root, wait_ms: int = 800) -> tuple[float | None, str]:
    """Click into the widget's cell (``TOUCH_TARGET_JS``), as a learner's first click does, and return the time
    from the pointer event to the paint after JupyterLab's handling (Event Timing; None: every event under 16 ms,
    nothing to report) and what was clicked. ``root`` must have been given TRACK_JS (it creates ``window.__bt``)."""
    root.scroll_into_view_if_needed()
    page.evaluate(EVENTS_JS)
    target = root.evaluate(TOUCH_TARGET_JS)
    if target is None:
        return None, "nothing in view"
    page.mouse.click(target["x"], target["y"])
    page.wait_for_timeout(wait_ms)  # Event Timing reports an event after the paint that follows it
    events = page.evaluate("() => window.__bt.events")
    if not events:
        return None, target["what"]
    return max(e["end"] for e in events) - min(e["start"] for e in events), target["what"]


def ready(info: dict) -> bool:
    return info["visible"] and not info["disabled"]


def reveal(page, path: str, root, control, others: list) -> bool:
    """Step the widget's other dropdowns and toggle buttons through their options until ``control`` is shown
    and enabled (e.g. a parameter slider that only some functions have): whether it is."""
    for other in others:
        info = other.evaluate(CONTROL_JS)
        if info["kind"] not in ("dropdown", "toggle") or not ready(info):
            continue
        for _ in range(info["n"]):
            if ready(control.evaluate(CONTROL_JS)):
                return True
            drive(page, path, root, other)
    return ready(control.evaluate(CONTROL_JS))


def click_at_both_ends(page, path: str, root, button, sliders: list) -> Change:
    """A button that changed nothing (e.g. ▶ at the last step): move the widget's sliders to their start
    (Home), click again; then to their end (End), click again. The first click that changes the output."""
    for key in ("Home", "End"):
        for slider in sliders:
            if ready(slider.evaluate(CONTROL_JS)):
                handle = slider.locator(".noUi-handle").first
                handle.focus()
                page.evaluate(ARM_JS)
                handle.press(key)
                page.wait_for_function(SETTLED_JS, arg=[path, root.element_handle(), 150, 3000], polling=20)
        result = drive(page, path, root, button)
        if result.changed:
            return result
    return result


def restore(page, path: str, root, control, start: dict) -> list[Change]:
    """Put a dropdown, toggle buttons or checkbox back to its value ``start`` (CONTROL_JS before its changes), so
    that the widget's other controls are driven from the notebook's own settings (a checkbox flipped three
    times would hide a curve the sliders after it move): [] or the one change that did it."""
    now = control.evaluate(CONTROL_JS)
    if start["kind"] not in ("dropdown", "toggle", "checkbox") or now["value"] == start["value"]:
        return []
    return [drive(page, path, root, control, to=start.get("index"))]
