"""Which names the generated code keeps for itself, read from what the templates write.

The reserved names are not a list kept by hand: they are read from what the templates really
write. A small probe spec that uses every construct the templates know (each kind of field,
enum and union, two areas referring to each other) is rendered once per process, and the
generated modules are read with `ast` and `symtable`: which names each module binds or reads,
what generated classes define and read in their bodies, and which globals and locals the
generated functions use. The probe's own names all contain "zq"/"Zq"/"ZQ" and are left out.
Python's keywords and builtins are added. When a template starts using a new helper, the
helper becomes reserved with no change here.
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import re
import symtable
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .naming import constant_case, snake_case


class TemplateNameClash(Exception):
    """The templates use a name that generated code keeps for fields' local variables."""


@dataclass(frozen=True)
class ReservedNames:
    """What the generated code uses for itself, by where a spec name would land."""

    # Bound or read at the top level of some generated module, or read as a global by one of
    # its functions, plus Python's builtins and keywords: type names and every module-level
    # name made from them must avoid these.
    module: frozenset[str]
    # Defined or read in the body of a generated object class (besides its fields), including
    # what its base class defines: field attribute names must avoid these.
    object_members: frozenset[str]
    # The same for the `Unknown…` class of a tagged union, whose tag becomes a property.
    unknown_members: frozenset[str]
    # Read as globals, or bound as locals, by the functions of an area module besides the
    # fields' own locals: a field's local variable in a decoder or encoder must avoid these.
    function_names: frozenset[str]
    # Module-level names made from each type, by kind, as patterns with {name}, {snake} and
    # {constant} (`decode_{snake}`, `_{constant}_FIELDS`, `Unknown{name}`…).
    type_patterns: dict[str, frozenset[str]]
    # The module made from an area name, as a pattern with {area} (`_{area}`).
    area_patterns: frozenset[str]
    # Modules of the package that do not come from a spec file, as area names (`runtime`).
    package_modules: frozenset[str]

    def names_of_type(self, kind: str, name: str) -> list[str]:
        """The module-level names a type of this kind and name generates, itself first."""
        values = {"name": name, "snake": snake_case(name), "constant": constant_case(name)}
        made = sorted(p.format(**values) for p in self.type_patterns[kind])
        return [name] + [n for n in made if n != name]

    def names_of_area(self, area: str) -> list[str]:
        return sorted(p.format(area=area) for p in self.area_patterns)


# --- the probe ----------------------------------------------------------------------------

_MARK = re.compile("zq", re.IGNORECASE)

# No probe name may be part of another one, so that each generated name can be traced back.
_PROBE_SPEC = {
    "zqa": """
ZqObject:
  fields:
    zq_tag: {const: zq_object}
    zq_multi: {const: [zq_one, zq_two], optional: true}
    zq_string: {type: string, default: zq}
    zq_integer: {type: integer, optional: true}
    zq_number: {type: number, nullable: true}
    zq_boolean: {type: boolean, optional: true, nullable: true}
    zq_any: {type: any, optional: true}
    zq_list_any: {type: "list[any]", optional: true}
    zq_map_any: {type: "map[any]", optional: true}
    zq_list_string: {type: "list[string]", optional: true}
    zq_nested: {type: "list[list[map[ZqOther]]]", optional: true, nullable: true}
    zq_map_list: {type: "map[list[ZqTagged]]", optional: true}
    zq_list_union: {type: "list[ZqTagged]", optional: true}
    zq_union: {type: ZqTagged, optional: true, nullable: true}
    zq_plain_union: {type: ZqPlainTagged}
    zq_choice: {type: ZqChoice, optional: true}
    zq_pick: {type: ZqPick, nullable: true}
    zq_open: {type: ZqOpen, optional: true}
    zq_closed: {type: ZqClosed, nullable: true}
    zq_other: {type: ZqOther, optional: true}
    zq_empty: {type: ZqEmpty, optional: true}
ZqDefault:
  fields:
    zq_tag: {const: zq_default, optional: true, nullable: true}
ZqTagged:
  union: {tag: zq_tag, default: ZqDefault}
  variants: [ZqObject, ZqDefault, ZqVariant]
ZqChoice:
  one_of: [{const: zq_const}, number, boolean, "list[ZqOther]", ZqTagged]
""",
    "zqb": """
ZqOther:
  fields:
    zq_label: {type: string}
    zq_back: {type: ZqObject, optional: true}
ZqVariant:
  fields:
    zq_tag: {const: [zq_variant, zq_alias]}
ZqEmpty:
  fields: {}
ZqPlainTagged:
  union: {tag: zq_tag}
  variants: [ZqVariant]
stream:
  events: ZqPlainTagged
ZqPick:
  one_of: [string, integer, "map[ZqOther]"]
ZqOpen:
  enum: [zq_single]
ZqClosed:
  open: false
  enum: [zq_first, zq_second]
ZqRouted:
  extends: ZqOther
  without: [zq_label]
  fields:
    zq_version: {const: zq_version}
    zq_betas: {type: "list[string]", optional: true}
  platform:
    route: ZQ_ROUTE
    path: "zq/{zq_label}"
    betas_field: zq_betas
    event_stream: {event: ZqTagged, decoder: ZqStreamDecoder, encoder: zq_stream_encoder}
""",
}


def reserved_names(templates: Path | None = None) -> ReservedNames:
    """The reserved names of the package the templates (default: the project's) write."""
    from . import render  # imported here: it imports this module through validate

    return _reserved_names((templates or render.DEFAULT_TEMPLATES).resolve())


@functools.cache
def _reserved_names(templates: Path) -> ReservedNames:
    package, sources = _render_probe(templates)
    modules = {name: ast.parse(text) for name, text in sources.items() if name.endswith(".py")}
    area_modules = {f"{package.name}/{area.module}.py" for area in package.areas}
    unions_module = f"{package.name}/{package.unions_module}.py"
    unknown_classes = {u.unknown_class for u in package.unions.tagged_unions}

    module_level: set[str] = set(dir(builtins)) | set(keyword.kwlist)
    function_names: set[str] = set()
    bound_at_top: set[str] = set()
    for name in modules:
        table = symtable.symtable(sources[name], name, "exec")
        module_level |= {s.get_name() for s in table.get_symbols()}
        bound_at_top |= {s.get_name() for s in table.get_symbols() if _is_bound(s)}
        for scope, in_unknown_class in _function_scopes(table, frozenset(unknown_classes)):
            read = {s.get_name() for s in scope.get_symbols() if s.is_global()}
            module_level |= read
            if name in area_modules and not in_unknown_class:
                # Where fields have local variables: decoders and the methods of objects.
                function_names |= read
                if scope.get_name() not in _COMPREHENSIONS:
                    function_names |= {s.get_name() for s in scope.get_symbols() if s.is_local()}

    object_members: set[str] = set()
    unknown_members: set[str] = set()
    base_classes = {
        node.name: node
        for tree in modules.values()
        for node in tree.body
        if isinstance(node, ast.ClassDef) and not _MARK.search(node.name)
    }
    for name in sorted(area_modules | {unions_module}):
        for node in modules.get(name, ast.Module(body=[], type_ignores=[])).body:
            if isinstance(node, ast.ClassDef):
                members = unknown_members if node.name in unknown_classes else object_members
                members |= _class_members(node, base_classes)

    clashing = sorted(n for n in _without_probe(function_names) if n.endswith("_"))
    if clashing:
        raise TemplateNameClash(
            f"the templates use {', '.join(clashing)} in generated functions; a field's local "
            "variable could take that name (local_name() adds an underscore): rename it"
        )
    probe_areas = [{"area": area} for area in _PROBE_SPEC]
    return ReservedNames(
        module=_without_probe(module_level),
        object_members=_without_probe(object_members),
        unknown_members=_without_probe(unknown_members),
        function_names=_without_probe(function_names),
        type_patterns={
            kind: _patterns(bound_at_top, [_spellings(n) for n in package_names])
            for kind, package_names in _probe_types_by_kind(package).items()
        },
        area_patterns=_patterns(bound_at_top, probe_areas),
        package_modules=frozenset(
            Path(name).stem.lstrip("_")
            for name in modules
            if name not in area_modules and not Path(name).stem.startswith("__")
        ),
    )


def _render_probe(templates: Path) -> tuple[Any, dict[str, str]]:
    """The probe spec's intermediate model, and its rendered (unformatted) modules."""
    from . import build_ir, load, render, spec_model  # imported here: they import this module

    files = [
        load.SpecFile(
            f"<probe>/{area}.yaml", f"probe/{area}.yaml", area, load.parse_yaml(text, area)
        )
        for area, text in _PROBE_SPEC.items()
    ]
    # The probe is known to be valid (a test checks it); validating it here would need the
    # reserved names this function computes.
    package = build_ir.build(spec_model.build(files))
    return package, render.render_package(package, templates)


def _probe_types_by_kind(package: Any) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for area in package.areas:
        kinds.setdefault("object", []).extend(t.name for t in area.objects)
        kinds.setdefault("enum", []).extend(t.name for t in area.enums)
    kinds["tagged_union"] = [t.name for t in package.unions.tagged_unions]
    kinds["one_of"] = [t.name for t in package.unions.one_ofs]
    return kinds


def _spellings(name: str) -> dict[str, str]:
    return {"name": name, "snake": snake_case(name), "constant": constant_case(name)}


def _patterns(generated: set[str], spellings: list[dict[str, str]]) -> frozenset[str]:
    """The generated names made from these spellings of names, as patterns."""
    return frozenset(
        pattern
        for values in spellings
        for name in generated
        if (pattern := _pattern(name, values)) is not None
    )


def _class_members(node: ast.ClassDef, base_classes: dict[str, ast.ClassDef]) -> set[str]:
    """What a generated class defines or reads besides its fields: an attribute must avoid it."""
    # A field is also a parameter of __init__, beside its other parameters.
    bound, parameters, read = _class_scope_names(node)
    members = bound | parameters | read
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in base_classes:
            # What the base class reads is resolved in its own scope: only what it defines
            # can be hidden by a subclass's attribute.
            members |= _class_scope_names(base_classes[base.id])[0]
    return members


_COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr", "lambda"})


def _is_bound(symbol: symtable.Symbol) -> bool:
    return symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()


def _function_scopes(
    table: symtable.SymbolTable, classes: frozenset[str], inside: bool = False
) -> Iterator[tuple[symtable.SymbolTable, bool]]:
    """Every function (and comprehension) scope inside a module, at any depth, and whether it
    lies in one of the given classes."""
    for child in table.get_children():
        within = inside or (child.get_type() == "class" and child.get_name() in classes)
        if child.get_type() == "function":
            yield child, within
        yield from _function_scopes(child, classes, within)


def _class_scope_names(node: ast.ClassDef) -> tuple[set[str], set[str], set[str]]:
    """The names a class body binds, the parameters of its `__init__` (where the fields are
    parameters too), and the names it reads.

    Annotations count as read: with `from __future__ import annotations` Python never evaluates
    them, but mypy resolves them in the class scope, where an attribute of the same name wins.
    """
    bound: set[str] = set()
    parameters: set[str] = set()
    read: list[ast.AST] = [*node.bases, *node.decorator_list]
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound.add(statement.name)
            arguments = statement.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            if statement.name == "__init__":
                parameters |= {a.arg for a in every}
            read += [a.annotation for a in every if a.annotation is not None]
            read += [*arguments.defaults, *statement.decorator_list]
            read += [d for d in arguments.kw_defaults if d is not None]
            if statement.returns is not None:
                read.append(statement.returns)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            bound |= _names_in(targets)
            if statement.value is not None:
                read.append(statement.value)
                if "__slots__" in _names_in(targets):
                    bound |= _strings_in(statement.value)
            if isinstance(statement, ast.AnnAssign):
                read.append(statement.annotation)
    return bound, parameters, _names_in(read)


def _names_in(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _strings_in(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _pattern(generated: str, values: dict[str, str]) -> str | None:
    """`decode_zq_object` → `decode_{snake}` when the values are those of ZqObject."""
    pattern = generated.replace("{", "{{").replace("}", "}}")
    # Longest first: a type's name may contain its own constant or snake spelling.
    for key, value in sorted(values.items(), key=lambda item: -len(item[1])):
        pattern = pattern.replace(value, "{" + key + "}")
    if pattern == generated or _MARK.search(re.sub(r"\{\w+\}", "", pattern)):
        return None  # not made from this name, or made from another probe name as well
    return pattern


def _without_probe(found: set[str]) -> frozenset[str]:
    return frozenset(name for name in found if not _MARK.search(name))
