"""One declared flag parser for the simulated ``wrangler``, ``gh`` and ``terraform``.

A command declares its flags (:class:`Flag`) and parses its argv in the style of the real tool's parser
(:class:`Style`); the tool turns a :class:`FlagError` into its own error text and exit code. The three
styles, as the real parsers behave (checked in their sources):

- ``YARGS`` (wrangler 4: yargs-parser under ``.strict()``, workers-sdk ``packages/wrangler/src/index.ts``):
  options and positionals mix; ``--opt value`` / ``--opt=value``; a value option followed by another option
  (``--name --env x``) or nothing gets ``""``, except that an option declared ``requiresArg`` then fails with
  "Not enough arguments following: name"; a boolean takes a following ``true``/``false`` and ``--no-opt``
  negates it; an ``array`` option takes every argument up to the next option (``--method GET myworker``
  makes ``myworker`` a method, not the worker); ``--camelCase`` spellings of ``--kebab-case`` options are the same option; ``-5`` is a number,
  not an option; unknown options are collected (strict mode reports them all at once); ``--`` ends options.
- ``PFLAG`` (gh: spf13/pflag v1.0.5 under cobra): flags and positionals mix; ``--flag value``,
  ``--flag=value``; shorthands ``-R value``, ``-Rvalue``, ``-R=value`` and grouped booleans (``-dw``); a value
  flag takes the next argument whatever it looks like; booleans never take the next argument
  (``--fill=false``); the first unknown flag fails ("unknown flag: --x", "unknown shorthand flag: 'x' in -xy");
  a lone ``-`` is a positional; ``--`` ends flags.
- ``GOFLAG`` (terraform: Go's ``flag`` package, ``internal/command/arguments/default.go``
  ``flag.ContinueOnError``): ``-flag`` and ``--flag`` are the same; ``-flag=value`` or ``-flag value`` (not
  for booleans: ``-flag=false``); parsing STOPS at the first non-flag argument (``-`` included) and the rest
  are positionals; the first unknown flag fails ("flag provided but not defined: -x", always one dash);
  ``--`` ends flags; a boolean's value must be one of Go's ``strconv.ParseBool`` spellings.

Repeated flags: a ``repeated`` flag keeps every value in order (pflag's StringArray/StringSlice, terraform's
``-target``/``-var``); otherwise the last one wins. Every flag given is also in :attr:`Parsed.order`, so a
command can replay flags whose relative order matters (terraform's ``-var`` and ``-var-file``).
"""

from __future__ import annotations

# No ``enum`` and no ``re`` at import: a tool is a process per command and those two were a third of a
# ``wrangler`` call's start-up (``re`` is imported where a rarely used check needs it).

# A tool runs one command per process: ``typing`` and ``dataclasses`` (which pulls in ``inspect``) would cost
# more start-up time than the parse; the annotations below are never evaluated (``from __future__``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class Style:
    """Which real parser a tool's flags follow (compared by identity: ``style is Style.YARGS``)."""

    YARGS = "yargs"
    PFLAG = "pflag"
    GOFLAG = "goflag"


class Flag:
    """One flag: its spellings (``("--repo", "-R")``; the first is its name in messages), where its value
    goes, whether it takes a value, whether every occurrence is kept, and (for values) a check that returns
    the real parser's complaint about a bad value, or ``None``. Immutable."""

    __slots__ = ("names", "dest", "value", "repeated", "split_commas", "requires_arg", "check", "greedy")
    names: tuple[str, ...]
    dest: str
    value: bool
    repeated: bool
    split_commas: bool  # pflag StringSlice: "a,b" is two values
    requires_arg: bool  # yargs requiresArg
    check: Callable[[str], str | None] | None
    greedy: bool  # yargs ``array: true``: takes every following argument up to the next option

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        value: bool = True,
        repeated: bool = False,
        split_commas: bool = False,
        requires_arg: bool = False,
        check: Callable[[str], str | None] | None = None,
        greedy: bool = False,
    ) -> None:
        fields = (names, dest, value, repeated, split_commas, requires_arg, check, greedy)
        for name, given in zip(Flag.__slots__, fields):
            object.__setattr__(self, name, given)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Flag is immutable: cannot set {name!r}")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in Flag.__slots__)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Flag) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Flag(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in Flag.__slots__) + ")"


class Parsed:
    """What a parse found."""

    def __init__(self) -> None:
        self.positionals: list[str] = []
        self.values: dict[str, str] = {}  # value flags: the last value given
        self.lists: dict[str, list[str]] = {}  # repeated flags: every value, in order
        self.bools: dict[str, bool] = {}  # boolean flags given (True, or False when negated)
        self.unknown: list[str] = []  # YARGS: unknown option names (without dashes)
        self.order: list[tuple[str, str]] = []  # (dest, value) for every flag, in order

    def flag(self, dest: str) -> bool:
        """The boolean ``dest`` was given and true."""
        return self.bools.get(dest, False)

    def get(self, dest: str, default: str | None = None) -> str | None:
        return self.values.get(dest, default)


class FlagError(Exception):
    """A flag the real parser refuses. ``kind``: ``unknown``, ``needs_value``, ``bad_value`` or ``bad_syntax``;
    ``flag``: the flag as its parser names it; the message is the real parser's text."""

    def __init__(self, kind: str, flag: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.flag = flag
        self.message = message


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _is_number(token: str) -> bool:
    """``re.match(r"^-+([0-9]+(\\.[0-9]+)?|\\.[0-9]+)$", token)``: a negative number yargs takes as a value."""
    body = token.lstrip("-")
    if len(body) == len(token):
        return False
    if body.endswith("\n"):
        body = body[:-1]  # ``$`` matches before a final newline too
    whole, dot, frac = body.partition(".")
    if not dot:
        return _digits(whole)
    return (whole == "" or _digits(whole)) and _digits(frac)


_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def parse(argv: Sequence[str], flags: Sequence[Flag], style: Style) -> Parsed:
    """Parse ``argv`` against ``flags`` the way ``style``'s parser does; raises :class:`FlagError`."""
    table: dict[str, Flag] = {name: f for f in flags for name in f.names}
    out = Parsed()
    if style is Style.YARGS:
        _yargs(list(argv), table, out)
    elif style is Style.PFLAG:
        _pflag(list(argv), table, out)
    else:
        _goflag(list(argv), table, out)
    return out


def _store(out: Parsed, flag: Flag, value: str, shown: str, checked: bool = False) -> None:
    if flag.check is not None and not checked:
        problem = flag.check(value)
        if problem:
            raise FlagError("bad_value", shown, problem)
    values = [v for v in value.split(",") if v] if flag.split_commas else [value]
    if flag.repeated:
        out.lists.setdefault(flag.dest, [])  # given, even when a comma list is empty
    for one in values:
        out.order.append((flag.dest, one))
        if flag.repeated:
            out.lists.setdefault(flag.dest, []).append(one)
        else:
            out.values[flag.dest] = one


def _set_bool(out: Parsed, flag: Flag, value: bool) -> None:
    out.bools[flag.dest] = value
    out.order.append((flag.dest, "true" if value else "false"))


# -- yargs ---------------------------------------------------------------------------------------
def _kebab(name: str) -> str:
    import re

    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), name)


def _yargs_lookup(table: dict[str, Flag], name: str) -> Flag | None:
    return table.get(name) or (table.get("--" + _kebab(name[2:])) if name.startswith("--") else None)


def _yargs(argv: list[str], table: dict[str, Flag], out: Parsed) -> None:
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if token == "--":
            out.positionals.extend(argv[i:])
            return
        if not token.startswith("-") or len(token) == 1 or _is_number(token):
            out.positionals.append(token)
            continue
        name, eq, inline = token.partition("=")
        flag = _yargs_lookup(table, name)
        if flag is None and name.startswith("--no-"):
            negated = _yargs_lookup(table, "--" + name[5:])
            if negated is not None and not negated.value:
                _set_bool(out, negated, False)
                continue
        if flag is None:
            out.unknown.append(name.lstrip("-"))
            continue
        key = flag.names[0].lstrip("-")
        if not flag.value:
            if eq:
                _set_bool(out, flag, inline.lower() != "false")
            elif i < len(argv) and argv[i] in ("true", "false"):
                _set_bool(out, flag, argv[i] == "true")
                i += 1
            else:
                _set_bool(out, flag, True)
            continue
        if flag.greedy:
            taken = [inline] if eq else []
            while not eq and i < len(argv) and (not argv[i].startswith("-") or _is_number(argv[i])):
                taken.append(argv[i])
                i += 1
            if not taken and flag.requires_arg:
                raise FlagError("needs_value", key, f"Not enough arguments following: {key}")
            for value in taken:
                _store(out, flag, value, key)
            out.lists.setdefault(flag.dest, [])
            continue
        if eq:
            _store(out, flag, inline, key)
        elif i < len(argv) and (not argv[i].startswith("-") or _is_number(argv[i])):
            _store(out, flag, argv[i], key)
            i += 1
        elif flag.requires_arg:
            raise FlagError("needs_value", key, f"Not enough arguments following: {key}")
        else:
            _store(out, flag, "", key)


# -- pflag ---------------------------------------------------------------------------------------
def _pflag_label(flag: Flag) -> str:
    longs = [n for n in flag.names if n.startswith("--")]
    shorts = [n for n in flag.names if not n.startswith("--")]
    return ", ".join(shorts[:1] + longs[:1])


def _pflag_bool(out: Parsed, flag: Flag, value: str) -> None:
    if value in _GO_TRUE or value in _GO_FALSE:
        _set_bool(out, flag, value in _GO_TRUE)
        return
    raise FlagError(
        "bad_value",
        _pflag_label(flag),
        f'invalid argument "{value}" for "{_pflag_label(flag)}" flag: strconv.ParseBool: parsing "{value}": '
        "invalid syntax",
    )


def _pflag(argv: list[str], table: dict[str, Flag], out: Parsed) -> None:
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if token == "--":
            out.positionals.extend(argv[i:])
            return
        if not token.startswith("-") or len(token) == 1:
            out.positionals.append(token)
            continue
        if token.startswith("--"):
            name, eq, inline = token[2:].partition("=")
            if not name or name[0] in "-=":
                raise FlagError("bad_syntax", token, f"bad flag syntax: {token}")
            flag = table.get("--" + name)
            if flag is None:
                raise FlagError("unknown", "--" + name, f"unknown flag: --{name}")
            if not flag.value:
                _pflag_bool(out, flag, inline if eq else "true")
            elif eq:
                _store(out, flag, inline, _pflag_label(flag))
            elif i < len(argv):
                _store(out, flag, argv[i], _pflag_label(flag))
                i += 1
            else:
                raise FlagError("needs_value", "--" + name, f"flag needs an argument: --{name}")
            continue
        shorthands = token[1:]
        while shorthands:
            c = shorthands[0]
            flag = table.get("-" + c)
            if flag is None:
                raise FlagError("unknown", "-" + c, f"unknown shorthand flag: '{c}' in -{shorthands}")
            if len(shorthands) > 2 and shorthands[1] == "=":
                value, shorthands = shorthands[2:], ""
                if flag.value:
                    _store(out, flag, value, _pflag_label(flag))
                else:
                    _pflag_bool(out, flag, value)
            elif not flag.value:
                _pflag_bool(out, flag, "true")
                shorthands = shorthands[1:]
            elif len(shorthands) > 1:
                _store(out, flag, shorthands[1:], _pflag_label(flag))
                shorthands = ""
            elif i < len(argv):
                _store(out, flag, argv[i], _pflag_label(flag))
                i += 1
                shorthands = ""
            else:
                raise FlagError("needs_value", "-" + c, f"flag needs an argument: '{c}' in -{c}")


# -- Go flag -------------------------------------------------------------------------------------
def _goflag(argv: list[str], table: dict[str, Flag], out: Parsed) -> None:
    i = 0
    while i < len(argv):
        token = argv[i]
        if len(token) < 2 or token[0] != "-":
            break  # the first non-flag argument ends the flags
        i += 1
        dashes = 2 if token[1] == "-" else 1
        if dashes == 2 and len(token) == 2:
            break  # "--" ends the flags
        name = token[dashes:]
        if not name or name[0] in "-=":
            raise FlagError("bad_syntax", token, f"bad flag syntax: {token}")
        name, eq, value = name.partition("=")
        flag = table.get("-" + name)
        if flag is None:
            raise FlagError("unknown", "-" + name, f"flag provided but not defined: -{name}")
        if not flag.value:
            if not eq:
                _set_bool(out, flag, True)
            elif value in _GO_TRUE or value in _GO_FALSE:
                _set_bool(out, flag, value in _GO_TRUE)
            else:
                raise FlagError("bad_value", "-" + name, f'invalid boolean value "{value}" for -{name}: parse error')
            continue
        if not eq:
            if i >= len(argv):
                raise FlagError("needs_value", "-" + name, f"flag needs an argument: -{name}")
            value = argv[i]
            i += 1
        if flag.check is not None and flag.check(value):
            raise FlagError("bad_value", "-" + name, f'invalid value "{value}" for flag -{name}: parse error')
        _store(out, flag, value, "-" + name, checked=True)
    out.positionals.extend(argv[i:])


# -- value checks (the real parsers' types) --------------------------------------------------------
_GO_INT = r"^[+-]?(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]*|0[bB][01_]+|[1-9][0-9_]*|0)$"
_GO_DURATION = r"^[+-]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"


def _matches(pattern: str, value: str) -> bool:
    import re  # only a tool checking such a value pays for it (re caches the compiled pattern)

    return re.match(pattern, value) is not None


def go_int(value: str) -> str | None:
    """Go's ``strconv.ParseInt(v, 0, 64)`` syntax (terraform's ``-parallelism``)."""
    return None if _matches(_GO_INT, value) else "parse error"


def go_duration(value: str) -> str | None:
    """Go's ``time.ParseDuration`` syntax (terraform's ``-lock-timeout``)."""
    return None if _matches(_GO_DURATION, value) else "parse error"


def pflag_int(label: str) -> Callable[[str], str | None]:
    """pflag's IntVar: ``strconv.ParseInt`` in base 0 (gh's ``--limit``, ``--interval``)."""

    def check(value: str) -> str | None:
        if _matches(_GO_INT, value):
            return None
        return f'invalid argument "{value}" for "{label}" flag: strconv.ParseInt: parsing "{value}": invalid syntax'

    return check


def yargs_choices(key: str, choices: Sequence[str]) -> Callable[[str], str | None]:
    """yargs ``choices``: the validation error it reports for a value outside them."""

    def check(value: str) -> str | None:
        if value in choices:
            return None
        listed = ", ".join(f'"{c}"' for c in choices)
        return f'Invalid values:\n  Argument: {key}, Given: "{value}", Choices: {listed}'

    return check
