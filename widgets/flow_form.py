"""The form for a flow's typed inputs: one row per input (label, field, help or error at the field).

The form never validates by itself: the screen passes what :meth:`FlowForm.values` returns to
``FlowRunner.check`` and hands the errors back with :meth:`FlowForm.show_errors`.
"""

from __future__ import annotations

from typing import Any, Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Select, Static

from widgets.text_input import TextInput

TYPE_HINTS = {
    "ip": "an IPv4 or IPv6 address",
    "cidr": "a CIDR range, e.g. 203.0.113.0/24",
    "edge_ip": "an IPv4 address or CIDR; IPv6 as its /64",
    "int": "a whole number",
    "number": "a number",
    "duration": "a duration: 30s, 15m, 2h, 7d",
    "bool": "true or false",
    "url": "an http(s) URL",
    "timestamp": "an ISO time, e.g. 2024-01-15T00:00:00Z",
}


def hint_for(spec: Any) -> str:
    parts = []
    if spec.help:
        parts.append(spec.help)
    hint = TYPE_HINTS.get(spec.type)
    if hint:
        bounds = []
        if spec.minimum is not None:
            bounds.append(f"min {spec.minimum:g}")
        if spec.maximum is not None:
            bounds.append(f"max {spec.maximum:g}")
        parts.append(hint + (f" ({', '.join(bounds)})" if bounds else ""))
    if not spec.required:
        parts.append("optional")
    return "; ".join(parts)


class FlowForm(VerticalScroll):
    """Fields are ``#input-NAME`` (Input, or Select for choices); messages are ``#msg-NAME``."""

    def __init__(self, specs: list[Any], defaults: Mapping[str, str | None], env: Any = None, **kwargs) -> None:
        super().__init__(**kwargs)
        #: the environment the flow runs in: a worker-role choice offers only the roles it configures
        self.env = env
        self.specs = list(specs)
        self.defaults = dict(defaults)
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        for spec in self.specs:
            default = self.defaults.get(spec.name)
            label = spec.display_label
            with Horizontal(classes="flow-field"):
                yield Label(label, classes="flow-field-label", markup=False)
                options = spec.options(self.env) if callable(getattr(spec, "options", None)) else spec.choices
                if spec.type == "choice" and options:
                    value = default if default in options else Select.NULL
                    yield Select(
                        [(c, c) for c in options],
                        value=value,
                        allow_blank=not spec.required or value is Select.NULL,
                        id=f"input-{spec.name}",
                        classes="flow-input",
                    )
                else:
                    yield TextInput(
                        value=default or "",
                        placeholder=TYPE_HINTS.get(spec.type, ""),
                        id=f"input-{spec.name}",
                        classes="flow-input",
                    )
            yield Static(hint_for(spec), id=f"msg-{spec.name}", classes="flow-field-msg", markup=False)

    def values(self) -> dict[str, str]:
        """What the operator typed, as raw strings (empty when nothing)."""
        out: dict[str, str] = {}
        for spec in self.specs:
            widget = self.query_one(f"#input-{spec.name}")
            if isinstance(widget, Select):
                value = widget.value
                out[spec.name] = "" if value is Select.NULL or value is None else str(value)
            else:
                out[spec.name] = widget.value  # type: ignore[attr-defined]
        return out

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Each error at its field; fields without one get their help back."""
        self.errors = dict(errors)
        for spec in self.specs:
            msg = self.query_one(f"#msg-{spec.name}", Static)
            field = self.query_one(f"#input-{spec.name}")
            error = self.errors.get(spec.name)
            if error:
                msg.update(f"✗ {error}")
                msg.add_class("error")
                field.add_class("error")
            else:
                msg.update(hint_for(spec))
                msg.remove_class("error")
                field.remove_class("error")
        unknown = [f"{k}: {v}" for k, v in self.errors.items() if all(s.name != k for s in self.specs)]
        if unknown:  # not expected from a form, but never dropped silently
            self.notify("; ".join(unknown), severity="error", markup=False)

    def focus_first_error(self) -> None:
        for spec in self.specs:
            if spec.name in self.errors:
                self.query_one(f"#input-{spec.name}").focus()
                return

    def only_prefilled_choices(self) -> bool:
        """Every field is a select that already has a value (a worker role, say): Enter may just continue."""
        fields = [self.query_one(f"#input-{spec.name}") for spec in self.specs]
        return bool(fields) and all(isinstance(f, Select) and f.value is not Select.NULL for f in fields)

    def focus_first(self) -> None:
        if self.specs:
            self.query_one(f"#input-{self.specs[0].name}").focus()
