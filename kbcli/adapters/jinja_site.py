"""Jinja2 for the handbook: the repo's templates/handbook/ first, then kb's built-ins.

A knowledge repo overrides any template with a file of the same name, and can
extend the built-in one with ``{% extends "default:card.html" %}`` (datasette's
PrefixLoader idiom). Autoescape is on for every template and undefined names fail
loudly, so a typo in an override is an error instead of an empty badge.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters.resources import templates_dir
from kbcli.errors import KbError

if TYPE_CHECKING:
    import jinja2

REPO_TEMPLATES = "templates/handbook"


def builtin_dir() -> Path:
    return templates_dir() / "handbook"


def template_dirs(root: Path) -> list[Path]:
    """Where templates are looked up, in order: the repo's overrides, then kb's."""
    dirs = [root / REPO_TEMPLATES] if (root / REPO_TEMPLATES).is_dir() else []
    return [*dirs, builtin_dir()]


def fingerprint(dirs: list[Path]) -> str:
    """A hash of every template and static file: any change re-renders the pages it affects."""
    digest = hashlib.blake2b(digest_size=16)
    for base in dirs:
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# The environment's options, also naming the compiled-templates folder: templates
# compiled under other options are never read back.
_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}
COMPILED = (
    "jinja-" + hashlib.blake2b(repr(sorted(_OPTIONS.items())).encode(), digest_size=6).hexdigest()
)


def environment(dirs: list[Path], compiled: Path | None = None) -> jinja2.Environment:
    """The sandboxed environment over ``dirs``; with ``compiled``, a folder (under
    ``.kb/``) where compiled templates are kept for the next process, by the hash of
    their source (Jinja's bytecode cache: compiling costs more than rendering a page)."""
    import jinja2

    builtin = jinja2.FileSystemLoader(str(builtin_dir()))
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([str(d) for d in dirs]),
            jinja2.PrefixLoader({"default": builtin}, delimiter=":"),
        ]
    )
    # Sandboxed: a knowledge repo's templates come from anyone who can open a pull
    # request, so they must not reach Python (``''.__class__.__mro__``) or change the
    # values kb hands them. The built-in templates run under the same rules.
    memo = _macro_memo()
    env = _sandboxed(memo)(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_compiled_cache(compiled) if compiled is not None else None,
        **_OPTIONS,
        # No stat of every template file on every page: the build keeps one environment
        # per fingerprint of all template files (kbcli.usecases.handbook), so a changed template
        # always gets a fresh environment.
        auto_reload=False,
    )
    env.globals["memo"] = memo
    return env


def _sandboxed(memo: Any) -> Any:
    """Jinja's immutable sandbox, with a quicker ``card.title`` on kb's dicts and a
    quicker call of kb's own ``memo``.

    Jinja reads ``x.y`` as the attribute ``y`` and, when there is none, as the key
    ``"y"``: on a dict that is an AttributeError raised and caught for every ``card.title``
    (about a hundred per card page). A plain dict or a card summary has no attribute but
    its class's, so a key that is not one of those names is looked up directly: the same
    value the sandbox returns, without the exception. Everything else goes through the
    sandbox unchanged.

    ``memo`` is kb's function, safe to call and taking no context: the sandbox's checks
    and Jinja's context-passing look-ups (a few microseconds, ~50,000 calls on the tldr
    pages) are skipped for it. The loop and block variables Jinja passes to every call
    made in a loop or block are what ``Context.call`` drops for such a function.

    A template's globals are a plain dict instead of Jinja's ``ChainMap`` over the
    environment's: every page and every ``{% from %}`` copies or compares them, and a
    ``ChainMap`` does that in Python. kb sets the environment's globals once, before
    any template is loaded, so the copy never misses a later change.
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from kbcli.core.handbook_views import Summary

    class_names = {kind: frozenset(dir(kind)) for kind in (dict, Summary)}

    class Sandboxed(ImmutableSandboxedEnvironment):
        template_class = _quick_escaping()

        def getattr(self, obj: Any, attribute: str) -> Any:
            names = class_names.get(type(obj))
            if (
                names is not None
                and type(attribute) is str
                and attribute not in names
                and attribute in obj
            ):
                return obj[attribute]
            return super().getattr(obj, attribute)

        def make_globals(self, d: Any) -> Any:
            return {**self.globals, **(d or {})}

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            if __obj is memo:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
                return memo(*args, **kwargs)
            return super().call(__context, __obj, *args, **kwargs)

    return Sandboxed


def _quick_escaping() -> Any:
    """Jinja's ``Template`` whose ``{{ ... }}`` output is escaped to a plain ``str``.

    Autoescaped output goes through ``markupsafe.escape``, which wraps every value in a
    new ``Markup`` (two more Python calls): ~650,000 of them on the 7,424 tldr pages, a
    quarter of the time spent in the templates. Jinja's compiled code calls ``escape``
    only on what it outputs, and output is only ever joined into the page or a macro's
    ``Markup``, so the same characters as a plain ``str`` give the same page. Without
    markupsafe's C escaper (``_escape_inner``), Jinja's own ``escape`` is kept.
    """
    import jinja2
    import markupsafe

    inner = getattr(markupsafe, "_escape_inner", None)

    def escape(value: Any, /) -> str:
        if type(value) is str:
            return inner(value)  # type: ignore[misc]
        if hasattr(value, "__html__"):
            return str(value.__html__())
        return inner(str(value))  # type: ignore[misc]

    class QuickEscaping(jinja2.Template):
        @classmethod
        def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> Any:
            if inner is not None:
                namespace["escape"] = escape
            return super()._from_namespace(environment, namespace, globals)

    return QuickEscaping


def _compiled_cache(folder: Path) -> Any:
    """Jinja's file bytecode cache, where a damaged, foreign or unwritable file only
    means compiling again."""
    from jinja2.bccache import FileSystemBytecodeCache

    class Compiled(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unpickling damaged bytes can raise almost anything
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return Compiled(str(folder), "%s.jinja")


def _macro_memo() -> Any:
    """``{{ memo(macro, arg, ...) }}``: a macro's output, rendered once per arguments.

    One card's row (badge, title, owner) appears on its tag and owner pages, the home
    page and the related lists of the cards near it: on the 7,424 tldr pages the row
    macro ran ~50,000 times for 7,424 distinct rows, a third of the time spent in the
    templates. A macro's output depends only on its arguments (the templates are
    sandboxed and get immutable values), so it is kept per compiled macro and
    arguments; only plain strings, numbers and card summaries (whose ``repr`` is a
    digest of their content) make a key, anything else renders every time.
    """
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import Macro

    from kbcli.core.handbook_views import Summary

    kept: dict[Any, Any] = {}

    def memo(macro: Any, *args: Any) -> Any:
        if not isinstance(macro, Macro):  # called from Python: nothing else may pass
            raise SecurityError("memo() takes a macro")
        parts: list[Any] = [macro._func.__code__]
        for arg in args:
            kind = type(arg)
            if kind is Summary:
                parts.append(repr(arg))
            elif kind is str or kind is int or arg is None:
                parts.append(arg)
            else:
                return macro(*args)
        key = tuple(parts)
        found = kept.get(key)
        if found is None:
            found = kept[key] = macro(*args)
        return found

    return memo


class SiteTemplates:
    """Renders named page templates with a context dict."""

    def __init__(self, dirs: list[Path], compiled: Path | None = None) -> None:
        self.dirs = dirs
        self.env = environment(dirs, compiled)

    def compile_all(self) -> None:
        """Compile every template ahead of rendering (before worker processes fork, so
        they inherit them). A broken template is left for the render that uses it to
        report, as one clear sentence."""
        import jinja2

        for name in self.env.list_templates(filter_func=lambda n: n.endswith(".html")):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                continue

    def render(self, name: str, context: dict[str, Any]) -> str:
        import jinja2

        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as error:
            where = f"{error.filename or error.name}:{error.lineno}"
            raise KbError(f"{where}: template syntax error: {error.message}") from None
        except jinja2.TemplateNotFound as error:
            raise KbError(f"template {error.name} not found in {self._where()}") from None
        except jinja2.UndefinedError as error:
            raise KbError(f"template {name}: {error.message}; check the names it uses") from None
        except jinja2.TemplateError as error:  # SecurityError: the sandbox refused
            raise KbError(f"template {name}: {refusal(error)}") from None

    def _where(self) -> str:
        return ", ".join(str(d) for d in self.dirs)


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """``static/`` files of the template folders ``dirs`` by relative name; the repo's
    override kb's files of the same name (no Jinja environment needed)."""
    found: dict[str, Path] = {}
    for base in reversed(dirs):
        static = base / "static"
        if static.is_dir():
            for path in static.rglob("*"):
                if path.is_file():
                    found[path.relative_to(static).as_posix()] = path
    return found


def refusal(error: Exception) -> str:
    """One sentence for a template that failed at run time (the sandbox, mostly)."""
    from jinja2.exceptions import SecurityError

    if isinstance(error, SecurityError):
        return (
            f"{error}; templates run sandboxed and may only use the values kb passes them, "
            "not Python internals"
        )
    return f"{type(error).__name__}: {error}"
