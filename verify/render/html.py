"""audit.html: one self-contained page (styles inline, images as data URIs)."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

ENV = Environment(loader=PackageLoader("verify.render", "templates"), autoescape=select_autoescape(["html", "j2"]))


def render(data: dict) -> str:
    images = {
        name: "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
        for name, path in data["images"].items()
    }
    return ENV.get_template("audit.html.j2").render(**data, image=images)
