"""Small server-drawn SVG pictures: an entity's neighbourhood (no JavaScript library, no outside host).

Every text and attribute value goes through markupsafe.escape, so a label can never become markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
MAX_NEIGHBOURS = 14
# presentation attributes, not CSS classes alone: the SVG must look right on its own too
FONT = {"font_family": "system-ui, sans-serif", "font_size": 15}
INK = "#1a1a1a"


@dataclass(frozen=True)
class Edge:
    label: str  # the property's label
    outgoing: bool  # the entity is the subject
    target: str  # the neighbour's label
    href: str | None
    inferred: bool


def short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attrs(**values: object) -> str:
    """Escaped attributes: x=1 class_='a' -> ' x="1" class="a"'."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in values.items())


def element(tag: str, text: str | None = None, children: str = "", **values: object) -> str:
    """<tag attrs>text</tag> with the text and the attributes escaped (children are already markup)."""
    inner = (str(escape(text)) if text is not None else "") + children
    return f"<{tag}{attrs(**values)}>{inner}</{tag}>" if inner else f"<{tag}{attrs(**values)}/>"


def link(target: str | None, children: str) -> str:
    return element("a", children=children, href=target) if target else children


def neighbourhood(center: str, edges: list[Edge], title: str) -> Markup:
    """The entity in the middle, its neighbours around it, one line per property (dashed if inferred)."""
    shown = edges[:MAX_NEIGHBOURS]
    width, height = 640, 420 if len(shown) > 6 else 300
    cx, cy = width // 2, height // 2
    rx, ry = width / 2 - 110, height / 2 - 34
    lines, nodes = [], []
    for i, edge in enumerate(shown):
        angle = 2 * math.pi * i / max(len(shown), 1) - math.pi / 2
        x, y = round(cx + rx * math.cos(angle)), round(cy + ry * math.sin(angle))
        dash = {"stroke_dasharray": "5 4"} if edge.inferred else {}
        lines.append(element("line", x1=cx, y1=cy, x2=x, y2=y, stroke="#8a8a8a", **dash))
        arrow = "→" if edge.outgoing else "←"
        label = f"{arrow} {short(edge.label, 22)}"
        lines.append(
            element(
                "text",
                label,
                x=(cx + x) // 2,
                y=(cy + y) // 2,
                font_size=12,
                fill="#555",
                text_anchor="middle",
            )
        )
        node = (
            element("title", edge.target)
            + element("circle", cx=x, cy=y, r=6, fill="#0b4da2")
            + element("text", short(edge.target), x=x, y=y + 20, text_anchor="middle", fill="#0b4da2")
        )
        nodes.append(link(edge.href, element("g", children=node, class_="node")))
    middle = element("circle", cx=cx, cy=cy, r=9, fill="#b91c1c") + element(
        "text", short(center, 34), x=cx, y=cy - 16, text_anchor="middle", font_weight="bold", fill=INK
    )
    body = element("title", title) + "".join(lines) + "".join(nodes) + element("g", children=middle)
    root = element(
        "svg",
        children=body,
        xmlns=SVG_NS,
        viewBox=f"0 0 {width} {height}",
        class_="graph",
        role="img",
        **FONT,
    )
    return Markup(root)
