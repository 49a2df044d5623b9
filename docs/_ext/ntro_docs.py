"""Sphinx directives of the ntro site, drawn from the code so they cannot drift from it.

``.. ntro-steps:: PATH``
    A diagram (inline SVG) of a runbook bundle's steps, read from its
    ``runbook.md``: activity steps in blue, gates — steps that wait for a
    person — in amber, in the order the runbook takes them.

``.. ntro-harness-report:: PATH``
    Runs ``ntro workflow test PATH --explore --html`` when the site is built
    and embeds the harness's HTML report (a step timeline per scenario); the
    report is written to ``_reports/<slug>.html`` in the output.

``.. ntro-reexports:: MODULE``
    Lists the names of ``MODULE.__all__`` that are documented under another
    module (the same object), each linked to where it is documented. A name
    documented nowhere is a build warning, so an error under ``-W``.
"""

from __future__ import annotations

import html
import importlib
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Step components that wait for a person (the UI's interactive components).
GATE_COMPONENTS = {"FILE_UPLOAD", "MULTI_FILE_UPLOAD", "DATA_TABLE", "APPROVAL_FORM", "APPROVAL"}
ROOT = Path(__file__).resolve().parents[2]


def _frontmatter(bundle: Path) -> dict[str, Any]:
    text = (bundle / "runbook.md").read_text(encoding="utf-8")
    _, front, _ = text.split("---", 2)
    data = yaml.safe_load(front)
    assert isinstance(data, dict), f"{bundle}/runbook.md: the frontmatter is not a mapping"
    return data


def steps_svg(bundle: Path) -> str:
    """The SVG diagram of the bundle's steps."""
    front = _frontmatter(bundle)
    steps = list(front.get("steps") or [])
    boxes = []
    for step in steps:
        gate = str(step.get("component", "")).upper() in GATE_COMPONENTS
        kind = "gate: waits for a person" if gate else (f"activity {step['activity']}" if step.get("activity") else "")
        label = str(step.get("label") or step["id"])
        width = max(150, int(max(len(label) * 8.2, len(kind) * 6.4)) + 28)
        boxes.append((label, kind, gate, width))
    gap, height, pad, y = 44, 62, 30, 34
    total = pad * 2 + 24 + sum(w for *_, w in boxes) + gap * len(boxes)
    parts = [
        f'<svg class="ntro-steps" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} 140" role="img" '
        f'aria-label="{html.escape(front["slug"])}: {html.escape(", then ".join(b[0] for b in boxes))}">',
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#6b7280'/></marker></defs>",
        f'<circle cx="{pad}" cy="{y + height / 2}" r="9" fill="#6b7280"/>',
    ]
    x = pad + 12
    for label, kind, gate, width in boxes:
        fill, stroke, ink = ("#fef3c7", "#b45309", "#78350f") if gate else ("#dbeafe", "#2563eb", "#1e3a8a")
        parts.append(
            f'<line x1="{x}" y1="{y + height / 2}" x2="{x + gap - 4}" y2="{y + height / 2}" stroke="#6b7280" '
            'stroke-width="2" marker-end="url(#arrow)"/>'
        )
        x += gap
        dash = ' stroke-dasharray="6 3"' if gate else ""
        parts.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="10" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(
            f'<text x="{x + width / 2}" y="{y + 27}" text-anchor="middle" font-size="14" font-weight="600" '
            f'fill="{ink}" font-family="sans-serif">{html.escape(label)}</text>'
        )
        parts.append(
            f'<text x="{x + width / 2}" y="{y + 46}" text-anchor="middle" font-size="11" fill="{ink}" '
            f'font-family="monospace">{html.escape(kind)}</text>'
        )
        x += width
    parts.append(
        f'<line x1="{x}" y1="{y + height / 2}" x2="{x + gap - 4}" y2="{y + height / 2}" stroke="#6b7280" '
        'stroke-width="2" marker-end="url(#arrow)"/>'
    )
    x += gap
    parts.append(f'<circle cx="{x + 9}" cy="{y + height / 2}" r="9" fill="none" stroke="#6b7280" stroke-width="3"/>')
    legend_y = y + height + 30
    parts.append(
        f'<rect x="{pad}" y="{legend_y - 11}" width="14" height="14" rx="3" fill="#dbeafe" stroke="#2563eb"/>'
        f'<text x="{pad + 20}" y="{legend_y}" font-size="12" fill="#374151" font-family="sans-serif">'
        "a step of workflow code (its activity does the I/O)</text>"
        f'<rect x="{pad + 330}" y="{legend_y - 11}" width="14" height="14" rx="3" fill="#fef3c7" stroke="#b45309" '
        'stroke-dasharray="4 2"/>'
        f'<text x="{pad + 350}" y="{legend_y}" font-size="12" fill="#374151" font-family="sans-serif">'
        "a gate: the run waits, durably, for a person's answer</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


class StepsDirective(Directive):
    """``.. ntro-steps:: PATH`` (relative to the repository's root)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """The diagram, as raw HTML."""
        bundle = ROOT / self.arguments[0]
        self.state.document.settings.env.note_dependency(str(bundle / "runbook.md"))
        return [nodes.raw("", f'<figure class="ntro-steps">{steps_svg(bundle)}</figure>', format="html")]


class HarnessReportDirective(Directive):
    """``.. ntro-harness-report:: PATH``: the harness's HTML report of the bundle, embedded."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """The iframe and a link; the report itself is written when the build finishes."""
        env = self.state.document.settings.env
        bundle = ROOT / self.arguments[0]
        slug = str(_frontmatter(bundle)["slug"])
        if not hasattr(env, "ntro_reports"):
            env.ntro_reports = {}
        env.ntro_reports[slug] = str(bundle)
        up = "../" * env.docname.count("/")
        src = f"{up}_reports/{slug}.html"
        return [
            nodes.raw(
                "",
                f'<iframe class="ntro-report" src="{src}" title="ntro workflow test {slug}: the HTML report" '
                f'loading="lazy"></iframe><p><a href="{src}">Open the report of {slug} on its own page</a></p>',
                format="html",
            )
        ]


def _write_reports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_reports"
    out.mkdir(exist_ok=True)
    for slug, bundle in sorted(getattr(app.env, "ntro_reports", {}).items()):
        target = out / f"{slug}.html"
        proc = subprocess.run(
            [sys.executable, "-m", "ntro.cli", "workflow", "test", bundle, "--explore", "--html", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if target.exists():  # the page is standalone: give it the site's icon
            page = target.read_text(encoding="utf-8")
            icon = '<link rel="icon" href="../_static/favicon.svg" type="image/svg+xml">'
            target.write_text(page.replace("<head>", "<head>" + icon, 1), encoding="utf-8")
        if proc.returncode != 0 or not target.exists():
            logger.warning(
                "ntro workflow test %s failed (%s):\n%s%s", bundle, proc.returncode, proc.stdout, proc.stderr
            )


class ReexportsDirective(Directive):
    """``.. ntro-reexports:: MODULE``: the names it re-exports, linked to where they are documented."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """A bullet list of placeholders, resolved to links once every page is read."""
        module_name = self.arguments[0]
        module = importlib.import_module(module_name)
        items = nodes.bullet_list()
        for name in sorted(module.__all__, key=str.lower):
            node = reexport(module_name=module_name, name=name)
            item = nodes.list_item()
            item += nodes.paragraph("", "", node)
            items += item
        return [items]


class reexport(nodes.Inline, nodes.TextElement):
    """A name of a module, resolved to where its object is documented once every page is read."""


def _public_candidates(obj: Any, name: str) -> list[str]:
    """Every ``module.name`` in a public ntro module's ``__all__`` that is ``obj``."""
    found = []
    for module_name in sorted(sys.modules):
        if not module_name.startswith("ntro.") or any(part.startswith("_") for part in module_name.split(".")):
            continue
        module = sys.modules[module_name]
        for other in getattr(module, "__all__", ()):
            if getattr(module, other, None) is obj and (other == name or not isinstance(obj, (str, int, tuple))):
                found.append(f"{module_name}.{other}")
    return found


def _resolve_reexports(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    objects = app.env.get_domain("py").objects  # type: ignore[attr-defined]
    for node in list(doctree.findall(reexport)):
        module_name, name = node["module_name"], node["name"]
        full = f"{module_name}.{name}"
        if full in objects:
            replacement: nodes.Node = _link(app, docname, objects[full], name, note="")
        else:
            obj = getattr(importlib.import_module(module_name), name)
            homes = [c for c in _public_candidates(obj, name) if c in objects and c != full]
            if not homes:
                logger.warning("%s is in %s.__all__ but documented nowhere", full, module_name, location=docname)
                replacement = nodes.literal(name, name)
            else:
                replacement = _link(app, docname, objects[homes[0]], name, note=homes[0])
        node.replace_self(replacement)


def _link(app: Sphinx, fromdoc: str, target: Any, text: str, note: str) -> nodes.Node:
    ref = nodes.reference("", "", internal=True)
    ref["refuri"] = app.builder.get_relative_uri(fromdoc, target.docname) + "#" + target.node_id
    ref += nodes.literal(text, text)
    if not note:
        return ref
    wrapper = nodes.inline()
    wrapper += ref
    wrapper += nodes.Text(f" (documented as {note})")
    return wrapper


_BACKLINK = re.compile(r'(<a class="viewcode-back" href=")([^"#]*)#([^"]+)(")')


def _by_suffix(app: Sphinx) -> dict[str, list[tuple[str, str]]]:
    """``(docname, anchor)`` of every documented Python object, by each dotted suffix of its name."""
    cached: dict[str, list[tuple[str, str]]] | None = getattr(app, "_ntro_by_suffix", None)
    if cached is None:
        cached = {}
        for full, obj in app.env.get_domain("py").objects.items():  # type: ignore[attr-defined]
            parts = full.split(".")
            for i in range(1, len(parts)):
                cached.setdefault(".".join(parts[i:]), []).append((obj.docname, obj.node_id))
        app._ntro_by_suffix = cached  # type: ignore[attr-defined]
    return cached


def _fix_viewcode_backlinks(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point the "[docs]" links of source pages at the anchors the objects really have.

    ``sphinx.ext.viewcode`` builds every backlink of a source module from
    the module name the *first* of its objects was documented under; ours
    are documented under their public modules (``RetryPolicy`` under
    ``ntro.workflow``, ``DEFAULT_ACTIVITY_OPTIONS`` under
    ``ntro.runtime.protocol``, both defined in ``ntro.runtime.protocol._options``),
    so many anchors would be wrong. Each is looked up by its qualified name
    among the objects documented on the page the link goes to.
    """
    if not pagename.startswith("_modules/") or "body" not in context:
        return
    modname = pagename.removeprefix("_modules/").replace("/", ".")
    entry = getattr(app.env, "_viewcode_modules", {}).get(modname)
    if not entry:
        return
    refname = entry[3]
    objects = app.env.get_domain("py").objects  # type: ignore[attr-defined]

    def fix(match: re.Match[str]) -> str:
        start, href, anchor, end = match.groups()
        if anchor in objects:
            return match.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(pagename), href)).removesuffix(".html")
        found = [a for doc, a in _by_suffix(app).get(anchor.removeprefix(refname + "."), []) if doc == target]
        return f"{start}{href}#{found[0] if found else anchor}{end}"

    context["body"] = _BACKLINK.sub(fix, context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and the build hooks."""
    app.add_directive("ntro-steps", StepsDirective)
    app.add_directive("ntro-harness-report", HarnessReportDirective)
    app.add_directive("ntro-reexports", ReexportsDirective)
    app.add_node(reexport)
    app.connect("doctree-resolved", _resolve_reexports)
    app.connect("build-finished", _write_reports)
    app.connect("html-page-context", _fix_viewcode_backlinks)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
