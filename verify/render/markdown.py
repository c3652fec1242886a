"""audit.md."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader

ENV = Environment(loader=PackageLoader("verify.render", "templates"), trim_blocks=True, lstrip_blocks=True)


def render(data: dict) -> str:
    return ENV.get_template("audit.md.j2").render(**data)
