"""The only place that touches Textual's private API (pinned: textual>=8.0,<9).

Each hook below exists because Textual 8 has no public way to do the job; each has a test in
tests/test_textual_compat.py against the installed Textual, so an upgrade that moves one fails
there, by name, and not somewhere in a screen.
"""

from __future__ import annotations

import itertools
import time
from asyncio import QueueEmpty
from functools import partial
from typing import Any, Callable, Iterable

from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.cache import LRUCache
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.geometry import Size
from textual.notifications import Notification
from textual.renderables.blank import Blank
from textual.widget import Widget
from textual.content import Content
from textual.visual import Visual, visualize
from textual.widgets import Footer as TextualFooter
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey
from textual.widgets.option_list import Option


class OpaqueTopScreens:
    """Mixin for the App: only a translucent top screen (a modal) lets the screens under it show.

    Textual 8 always counts the screen right under the top one as visible, even when the top one is
    opaque; then every redraw of the covered dashboard (footer, clock, log pane) repainted the whole
    top screen and laid out a screen nobody sees (measured: most frames of the log view under a
    flood were full repaints). Hook: the private ``App._background_screens`` property."""

    @property
    def _background_screens(self) -> list[Any]:
        screens = App._background_screens.fget(self)  # type: ignore[attr-defined]
        stack = self.screen_stack  # type: ignore[attr-defined]
        if screens and stack and stack[-1].styles.background.a == 1:
            return []
        return screens


class CoveredBackground:
    """Mixin for a ModalScreen that can fill the terminal (the flow modal: its box is as wide as a
    terminal up to 110 columns, and as tall): the dimmed screen under it is drawn only while some
    cell of it shows.

    A translucent modal draws the screen below as its own background (Textual's ``BackgroundScreen``:
    that screen's whole frame composed again and every segment tinted), and again whenever any region
    of the modal's background is marked dirty, which each poll of the dashboard below does. In Textual's
    compositor the top widget's strip is what a cell shows (a widget's own translucency is resolved
    from the styles of its ancestors, never from the cells below it), so where the modal's children
    cover every cell, its background is never seen: it is drawn blank then (measured: a third of a
    flow modal test's frames' CPU at 80x24 was that background). Which cells the children cover is
    read from the modal's compositor map, once per layout; only its direct children are counted (each
    descendant lies within its parent's region), so an overlay widget can only make it draw more.
    When the answer changes (a wider terminal shows the dashboard at the sides) the background is
    drawn afresh. Hooks: the private ``Screen._compositor`` (``visible_widgets``, ``size``) and
    ``Widget._styles_cache`` / ``Widget._dirty_regions`` (the render caches ``refresh`` clears)."""

    _cover_map: Any = None
    _covered: bool = False
    _drawn_covered: bool | None = None

    def background_covered(self) -> bool:
        """Whether the screen's children, as last laid out, leave no cell of the screen itself showing."""
        compositor = self._compositor  # type: ignore[attr-defined]
        widgets = compositor.visible_widgets
        if widgets is not self._cover_map:
            self._cover_map = widgets
            self._covered = _children_cover(self, widgets, compositor.size)
        return self._covered

    def render(self) -> Any:
        if self.background_covered():
            return Blank(self.styles.background)  # type: ignore[attr-defined]  # never seen: every cell is a child's
        return super().render()  # type: ignore[misc]

    def render_lines(self, crop: Any) -> Any:
        covered = self.background_covered()
        if covered is not self._drawn_covered:
            self._drawn_covered = covered
            self._styles_cache.clear()  # type: ignore[attr-defined]
            self._dirty_regions.add(self.size.region)  # type: ignore[attr-defined]
        return super().render_lines(crop)  # type: ignore[misc]


class StyledOnMount:
    """Mixin for a Screen (listed before ``Screen`` in its bases): the first time it is shown, it is not
    styled a second time.

    Textual sends a screen it pushes ``ScreenResume(refresh_styles=True)``, which restyles the screen and
    every widget in it; for a screen shown the first time that is a second styling of each widget: each
    was styled when it was mounted, with the stylesheet, classes and ancestors it has then, and what
    changes later (classes, focus, hover, order, the theme, CSS added) restyles the widgets it touches.
    Measured over the TUI tests: the second styling changed no rule of any widget of any screen, and it
    cost as much as the first (a flow modal ~20 ms, the incident report ~0.2 s). A screen shown again
    (pushed after it was hidden) is restyled as Textual does. Hook: the private handler name
    ``_on_screen_resume`` (Textual calls the handler of each class in the MRO, this one before Screen's)
    and the event's ``refresh_styles``."""

    _shown_before = False

    def _on_screen_resume(self, event: Any) -> None:
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False


def _children_cover(screen: Any, widgets: dict[Any, tuple[Any, Any]], size: Size) -> bool:
    """Whether the visible regions of ``screen``'s direct children cover all of ``size``."""
    width, height = size
    if not width or not height:
        return False
    rows: list[list[tuple[int, int]]] = [[] for _ in range(height)]
    for widget, (region, clip) in widgets.items():
        if widget.parent is not screen:
            continue
        x, y, w, h = region.intersection(clip)
        for row in range(max(y, 0), min(y + h, height)):
            rows[row].append((x, x + w))
    for spans in rows:
        reach = 0
        for start, end in sorted(spans):
            if start > reach:
                return False
            reach = max(reach, end)
        if reach < width:
            return False
    return True


def set_virtual_height(widget: Widget, reactive: Any, size: Size) -> None:
    """Grow a scrolling widget's virtual size without a layout pass (the box does not change, only
    its content height; a full-screen layout per tail batch costs more than the batch). Hook: the
    private ``Widget._scroll_update``, which is what Textual itself calls after such a change."""
    widget.set_reactive(reactive, size)
    widget._scroll_update(size)  # type: ignore[attr-defined]


def forward_input(source: Widget, target: Widget) -> int:
    """Move the keys and pastes waiting in ``source``'s message queue to ``target``, in the order they came;
    returns how many moved. Call it while ``source`` handles a key that moved the focus to ``target`` (tab,
    enter in a form): the app forwards each key to the widget focused when it reads it, and a burst is
    read before the focused box handles its first key, so the keys typed after the tab were already queued
    at the box that had the focus, and would have been typed into it. Other messages stay where they are
    (the box's Blur, timers, callbacks). Hooks: see :func:`take_input`."""
    moved = take_input(source)
    for event in moved:
        target.post_message(event)
    return len(moved)


def take_input(source: Widget) -> list[events.Event]:
    """Take the keys and pastes waiting in ``source``'s message queue out of it, in the order they came
    (:func:`forward_input` hands them on; a box whose enter submitted drops them). Hooks: the private
    ``MessagePump._message_queue`` (its ``get_nowait``/``put_nowait``) and ``MessagePump._pending_message``
    (the message Textual has already taken off the queue to look at: the one right behind the key being
    handled)."""
    moved: list[events.Event] = []
    pending = source._pending_message  # type: ignore[attr-defined]
    if isinstance(pending, (events.Key, events.Paste)):
        moved.append(pending)
        source._pending_message = None  # type: ignore[attr-defined]
    queue = source._message_queue  # type: ignore[attr-defined]
    kept: list[Any] = []
    while True:
        try:
            message = queue.get_nowait()
        except QueueEmpty:
            break
        (moved if isinstance(message, (events.Key, events.Paste)) else kept).append(message)
    for message in kept:  # None (the queue's end) included, in its place
        queue.put_nowait(message)
    return moved


class DrawnOptionList(OptionList):
    """An ``OptionList`` whose rows are drawn from :meth:`option_text` (``highlighted``: whether it is the
    highlighted row), while each option keeps the prompt it was given (the one ``OptionSelected``
    carries; options added, removed or cleared later are drawn the same way). Textual has no public way
    to draw a row other than its prompt. Hooks: the private ``OptionList._get_visual`` (one option's
    visual), ``OptionList._option_to_index`` and ``OptionList._option_render_cache`` (the rows drawn, keyed
    by option and style only: cleared when the highlight moves)."""

    def option_text(self, option: Option, highlighted: bool) -> Any:
        raise NotImplementedError

    def _get_visual(self, option: Option) -> Visual:
        highlighted = self.highlighted is not None and self._option_to_index.get(option) == self.highlighted
        cached = getattr(option, "_drawn_visual", None)  # (prompt, highlighted, visual)
        if cached is not None and cached[0] is option.prompt and cached[1] == highlighted:
            return cached[2]
        visual = visualize(self, self.option_text(option, highlighted), markup=False)
        option._drawn_visual = (option.prompt, highlighted, visual)  # type: ignore[attr-defined]
        return visual

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self._option_render_cache.clear()
        self.refresh()


class DrawnToggleButton:
    """Mixed into a ``ToggleButton`` (``RadioButton``, ``Checkbox``): its button is drawn by
    :meth:`button_face` instead of Textual's ``▐●▌``. Textual has no public hook for it. Hook: the private
    ``ToggleButton._button`` property."""

    def button_face(self) -> Content:
        raise NotImplementedError

    @property
    def _button(self) -> Content:
        return self.button_face()


def notifications(app: App[Any]) -> Iterable[Notification]:
    """The toasts currently shown (tests read them). Hook: the private ``App._notifications``."""
    return list(app._notifications)  # type: ignore[attr-defined]


def background_screens(app: App[Any]) -> list[Any]:
    """The screens Textual draws under the top one (after :class:`OpaqueTopScreens`); tests read it."""
    return list(app._background_screens)  # type: ignore[attr-defined]


def screen_text_lines(app: App[Any]) -> list[str]:
    """The terminal's rows as composed (plain text), what a user sees; tests read it. Hook: the
    private ``Screen._compositor``."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]  # type: ignore[attr-defined]


def render_update(app: App[Any]) -> Any:
    """The full frame the terminal is sent (after the app's line filters); tests print it. Hook: the
    private ``Screen._compositor`` and ``App._background_screens``."""
    return app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # type: ignore[attr-defined]


def set_theme_before_run(app: App[Any], name: str) -> None:
    """Make ``name`` the app's theme before it runs, without the CSS re-parse that setting ``app.theme``
    queues: ``App._watch_theme`` schedules ``refresh_css``, which parses every stylesheet source afresh
    (its parse cache is dropped) once the app starts; at start-up nothing is parsed yet, so giving the
    stylesheet the theme's variables is enough (measured: one full parse less, ~35 ms of CPU before the
    first frame). Does what the watcher does otherwise: the ``-theme-*``/``-dark-mode`` classes, the ANSI
    filter for the theme. Hook: the private ``App._refresh_truecolor_filter``; only before the app runs
    (after that, set ``app.theme``)."""
    if app.is_running:
        app.theme = name
        return
    app.set_reactive(App.theme, name)
    theme = app.current_theme
    classes = {c: False for c in app.classes if c.startswith("-theme-")}
    classes.update({f"-theme-{theme.name}": True, "-dark-mode": theme.dark, "-light-mode": not theme.dark})
    app.update_classes(classes, update=False)
    app._refresh_truecolor_filter(app.ansi_theme)  # type: ignore[attr-defined]
    app.stylesheet.set_variables(app.get_css_variables())


#: parsed rules shared by every app in the process (screens/textual_compat.SharedRulesStylesheet); bounded:
#: each entry is one CSS source parsed with one set of variables (~30 sources per theme in the console)
SHARED_RULES_MAX = 512
_shared_rules: LRUCache[tuple, list[RuleSet]] = LRUCache(SHARED_RULES_MAX)
_variable_set_ids: dict[tuple[tuple[str, str], ...], int] = {}
_next_variable_set = itertools.count()


class SharedRulesStylesheet(Stylesheet):
    """A Textual ``Stylesheet`` whose parsed rules are kept for the whole process, so an app started after
    another (a test's next Pilot app, the next ``edge-console`` screen) does not tokenise and parse the
    same CSS again, and a switch back to a theme used before re-parses nothing.

    Textual parses every source (``themes/*.tcss``, each widget's ``DEFAULT_CSS``) with the variables
    substituted (``$primary``...), into a cache that lives with one stylesheet and is emptied at every
    ``set_variables``. Here the key is everything the parse reads: the variables (all of them, by value),
    the CSS text itself, where it was read from, default or not, tie breaker and scope; a changed file, a
    changed ``DEFAULT_CSS`` or another theme is another key, so a stale result is never reused. The rule
    sets are only read after parsing (Textual shares them between its own re-parses the same way).
    ``reparse`` (a theme switch: ``App.refresh_css``) parses in place through the same cache; like
    Textual's, a failing parse raises and leaves the rules as they were. Hook: the private
    ``Stylesheet._parse_rules`` and ``Stylesheet._invalid_css``."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._variable_set = _variable_set_id(self._variables)

    def set_variables(self, variables: dict[str, str]) -> None:
        super().set_variables(variables)
        self._variable_set = _variable_set_id(self._variables)

    def _parse_rules(
        self, css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0, scope: str = ""
    ) -> list[RuleSet]:
        key = (self._variable_set, css, read_from, is_default_rules, tie_breaker, scope)
        rules = _shared_rules.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            _shared_rules.set(key, rules)
        return rules

    #: (the pass's cache, the node being styled) while ``apply`` styles a node with component classes in a pass
    _component_pass: tuple[dict, Any] | None = None

    def apply(self, node: Any, *, animate: bool = False, cache: dict[tuple, Any] | None = None) -> None:
        """Textual's ``apply``; within a pass that shares a cache (widgets mounted together, a restyle of a
        subtree), the component styles of a node (a FooterKey's ``footer-key--key``...) are shared with its
        siblings that Textual's own cache already treats as alike (see ``_process_component_classes``)."""
        if cache is None or not node._get_component_classes():
            super().apply(node, animate=animate, cache=cache)
            return
        outer = self._component_pass
        self._component_pass = (cache, node)
        try:
            super().apply(node, animate=animate, cache=cache)
        finally:
            self._component_pass = outer

    def _process_component_classes(self, node: Any) -> None:
        """Textual's, but a component's rules computed for one node are reused for a sibling styled in the same
        pass that Textual's pass cache treats as the same (parent, classes, hover/focus/disabled, type; here also
        the id and ``can_focus``), when no rule that could style the component tests a pseudo class Textual keeps
        out of its cache (``:first-child``, ``:focus-within``...). Textual styles each component as a virtual
        child node against the whole stylesheet: a footer of 20 keys made 40 such full applications for two
        distinct results (measured: a third of the style applications of a dashboard start-up). Hooks: the
        private ``Stylesheet._process_component_classes``, ``_EXCLUDE_PSEUDO_CLASSES_FROM_CACHE`` and the
        nodes' ``_component_styles``/``_parent``/``_id``/``_pseudo_classes_cache_key``/``_css_type_name``."""
        current = self._component_pass
        if current is None or current[1] is not node:
            super()._process_component_classes(node)
            return
        cache = current[0]
        self._component_pass = None  # the virtual nodes below are styled as Textual does
        sibling_key = (
            node._parent,
            node._id,
            node.classes,
            node._pseudo_classes_cache_key,
            node._css_type_name,
            type(node),
            node.can_focus if isinstance(node, Widget) else None,
        )
        refresh_node = False
        old_component_styles = node._component_styles.copy()
        node._component_styles.clear()
        for component in sorted(node._get_component_classes()):
            virtual_node = DOMNode(classes=component)
            virtual_node._attach(node)
            key = ("edge-console component styles", sibling_key, component)
            rules = cache.get(key)
            if rules is None:
                # Textual's apply stores the rules in the given cache only when no candidate rule tests an
                # excluded pseudo class; the cache key inside it names this node, so it is read back here
                own: dict[tuple, Any] = {}
                super().apply(virtual_node, animate=False, cache=own)
                if len(own) == 1:
                    cache[key] = next(iter(own.values()))
            else:
                self.replace_rules(virtual_node, rules, animate=False)
            if not refresh_node and old_component_styles.get(component) != virtual_node.styles:
                refresh_node = True
            node._component_styles[component] = virtual_node.styles
        if refresh_node:
            node.refresh()

    def reparse(self) -> None:
        # Textual's reparse parses into a fresh (plain) Stylesheet so that an error leaves this one as it
        # was; parse() already does (it sets the rules only once every source parsed), so: parse again,
        # every source (none skipped as invalid before), keeping the invalid set as Textual's does
        invalid = self._invalid_css
        self._invalid_css = set()
        try:
            self.parse()
        finally:
            self._invalid_css = invalid | self._invalid_css


#: selector names that can match nodes other than the widgets of a screen (a scrollbar, its corner, a component
#: virtual node): a rule ending in one of them restyles everything
_RESTYLE_ALL_NAMES = frozenset({"*", "DOMNode", "Widget", "ScrollBar", "ScrollBarCorner", "ScrollBarRender"})


def restyle_for_added_rules(stylesheet: Stylesheet, roots: Iterable[Any], before: set[int]) -> int:
    """After CSS was added to ``stylesheet`` (its rules were ``before``, by id), restyle the nodes under
    ``roots`` that a new rule can apply to; returns how many were restyled.

    Textual's ``Stylesheet.update`` restyles every node; ``apply`` only ever considers, for a node, the rules
    whose last selector names one of the node's selector names (``*``, its types, classes and id), and for
    its components (virtual child nodes) the component classes. A node no added rule names keeps the same
    candidate rules, so styling it again changes nothing (measured: the later CSS, loaded after the
    dashboard's first frame, restyled all ~100 nodes of the dashboard, ~25 ms per app start, for the few its
    rules name). The scrollbars a node shows are styled as Textual's update styles them (they are not in the
    tree); a rule ending in ``*``, ``Widget``, ``DOMNode`` or a scrollbar type restyles everything. Hooks: the private ``DOMNode._selector_names`` and ``_get_component_classes`` and
    ``RuleSet.selector_names`` (what ``Stylesheet.rules_map`` is built from)."""
    added = [rule for rule in stylesheet.rules if id(rule) not in before]
    names: set[str] = set().union(*(rule.selector_names for rule in added))
    roots = list(roots)
    if not names:
        return 0
    everything = [node for root in roots for node in root.walk_children(with_self=True)]
    if names & _RESTYLE_ALL_NAMES:
        stylesheet.update_nodes(everything)
        return len(everything)
    nodes, others = [], []
    for node in everything:
        if not names.isdisjoint(node._selector_names) or any(
            f".{component}" in names for component in node._get_component_classes()
        ):
            nodes.append(node)
        else:
            others.append(node)
    stylesheet.update_nodes(nodes)
    # Textual's update also styles the scrollbars shown by each scrollable node (they are not in the tree)
    cache: dict[tuple, Any] = {}
    for node in others:
        if isinstance(node, Widget) and node.is_scrollable:
            vertical = node.show_vertical_scrollbar and node.scrollbar_size_vertical
            horizontal = node.show_horizontal_scrollbar and node.scrollbar_size_horizontal
            if vertical:
                stylesheet.apply(node.vertical_scrollbar, cache=cache)
            if horizontal:
                stylesheet.apply(node.horizontal_scrollbar, cache=cache)
            if vertical and horizontal:
                stylesheet.apply(node.scrollbar_corner, cache=cache)
    return len(nodes)


def _variable_set_id(variables: dict[str, str]) -> int:
    """A small number for a set of CSS variables (by value), the same for equal sets in this process."""
    key = tuple(sorted(variables.items()))
    number = _variable_set_ids.get(key)
    if number is None:
        if len(_variable_set_ids) >= SHARED_RULES_MAX:  # bounded; numbers are never reused, so a
            _variable_set_ids.clear()  # stylesheet still holding an old one never meets another set's rules
        number = _variable_set_ids[key] = next(_next_variable_set)
    return number


def share_parsed_css(app: App[Any]) -> None:
    """Give ``app`` a :class:`SharedRulesStylesheet` (call in ``__init__``, before the app runs and reads
    any CSS); the variables are the app's as Textual set them."""
    if app.is_running or app.stylesheet.source:
        raise RuntimeError("share_parsed_css: call it before the app has read any CSS")
    app.stylesheet = SharedRulesStylesheet(variables=app.get_css_variables())


class Footer(TextualFooter):
    """Textual's key footer, each key created in the footer's compact state (screens use this one).

    Textual's ``FooterKey`` starts compact (its ``compact`` reactive defaults to True) and is then bound to
    the footer's ``compact`` (False here): so every key, at every footer compose (the footer composes
    again whenever the bindings change: at start-up, once the runbook's flow keys are bound, on focus
    changes), was styled three times (mounted, given ``-compact``, then losing it), each time with its two
    component styles (measured: a third of the style applications of a dashboard start-up). Here each
    key has the footer's value and class before it is mounted, so it is styled once; what is drawn does
    not change. The class keeps Textual's name: CSS and the code that finds a screen's footer by type
    name (``screens/incident_response.py``) see the same widget. And it recomposes only when what it
    shows changes (``recompose``). Hooks: the private ``FooterKey`` (module ``textual.widgets._footer``),
    its ``compact`` reactive, ``DOMNode._reactive_connect`` (the keys ``data_bind`` ties to the footer's
    ``compact``) and ``Footer._bindings_ready``."""

    #: what the last compose drew (``_shown``), None before the bindings were ready
    _composed: tuple | None = None

    def _shown(self) -> tuple | None:
        """Everything ``Footer.compose`` reads to draw the keys: each shown binding with its enabled state,
        tooltip and key display, the palette's entry, and the footer's own settings."""
        if not self._bindings_ready:
            return None
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        palette_key = palette[1:] + (app.get_key_display(palette[1]),) if palette is not None else None
        settings = (self.compact, self.show_command_palette, self.combine_groups, app.ENABLE_COMMAND_PALETTE)
        return keys, palette_key, settings

    #: the actions whose keys come first, in this order: the footer is cut at its right edge when its keys
    #: do not fit (an open incident's timeline at 80 columns, the dashboard at 60), and the last keys were
    #: the app's Help and Quit (htop and mc put Help first too)
    FIRST_ACTIONS = ("help", "quit")

    async def recompose(self) -> None:
        """Textual recomposes the footer at every bindings signal (a dashboard start sent five, most with
        the same keys): each time every key was removed, mounted, styled, laid out and drawn again. Only a
        change in what the footer shows recomposes it now."""
        if self._composed is not None and self.is_attached and self._shown() == self._composed:
            return
        await super().recompose()
        self._first_keys_first()

    def on_mount(self) -> None:
        self._first_keys_first()

    def _first_keys_first(self) -> None:
        keys = {key.action: key for key in self.query_children(FooterKey)}
        for action in reversed(self.FIRST_ACTIONS):
            key = keys.get(action)
            if key is not None and self.children and self.children[0] is not key:
                self.move_child(key, before=0)

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        compact = self.compact
        for widget in super().compose():
            # only the keys Textual binds to the footer's value (not the palette's key: it stays compact)
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            if type(widget) is FooterKey:
                widget.get_content_width = partial(footer_key_width, widget)  # type: ignore[method-assign]
            yield widget


def footer_key_width(key: FooterKey, container: Size, viewport: Size) -> int:
    """What Textual's ``Widget.get_content_width`` answers for a footer key, without drawing it.

    Textual measures a width-auto widget by rendering it (``FooterKey.render``: its two component styles, the
    text assembled and styled) into a visual, cached only for the last container width; the keys sit in a
    horizontal group that is measured at several widths per layout, and every restyle drops the cache: a
    dashboard start-up drew its footer keys ~50 times only to measure them (a third of its layout CPU). The
    width of the one-line, no-wrap text the key draws is its key and description with their paddings, in
    cells (Textual's ``Content.get_optimal_width``, plus ``line_pad``); a text that is not one printable line
    goes Textual's way. Hooks: Textual's ``FooterKey`` (module ``textual.widgets._footer``) and how its
    ``render`` lays out the text."""
    text = key.key_display  # a key without a description is drawn without paddings
    if key.description:
        key_padding = key.get_component_styles("footer-key--key").padding
        description_padding = key.get_component_styles("footer-key--description").padding
        text = (
            f"{' ' * key_padding.left}{text}{' ' * key_padding.right}"
            f"{' ' * description_padding.left}{key.description}{' ' * description_padding.right}"
        )
    if not text.isprintable() or key.expand or key.shrink:
        return Widget.get_content_width(key, container, viewport)
    return cell_len(text) + key.styles.get("line_pad", 0) * 2  # type: ignore[operator]


def skip_unseen_frames(every_s: float | None = None) -> Callable[[], None]:
    """Tests only: a headless app (not inline) composes no frame for its top screen's refresh, since
    ``App._display`` would drop it (with ``every_s``: at most one such frame per that many seconds, so
    the widgets' drawing still runs while a test drives the app); everything else the refresh does is kept (dirty regions cleared, the
    mouse-over update, callbacks after the refresh). What a test reads is composed afresh when read
    (``export_screenshot``, :func:`screen_text_lines`, :func:`render_update`). Returns the undo.
    Hooks: the private ``Screen._compositor_refresh``, ``Compositor._dirty_regions``,
    ``Screen._dirty_widgets``, ``App._update_mouse_over`` and ``App._background_screens``."""
    from textual._compositor import visible_screen_stack
    from textual.screen import Screen

    original = Screen.__dict__["_compositor_refresh"]
    last_drawn = [float("-inf")]

    def _compositor_refresh(self: Screen) -> None:
        app = self.app
        if not (app.is_headless and not app.is_inline and self is app.screen):
            original(self)  # a terminal's frame, or a screen below the top one: as Textual does it
            return
        if every_s is not None and time.monotonic() - last_drawn[0] >= every_s:
            last_drawn[0] = time.monotonic()
            original(self)
            return
        visible_screen_stack.set(app._background_screens)  # what render_update leaves behind
        self._compositor._dirty_regions.clear()
        self._dirty_widgets.clear()
        app._update_mouse_over(self)

    Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
    return lambda: setattr(Screen, "_compositor_refresh", original)
