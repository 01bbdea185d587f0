"""Stage 3: turn the checked spec into the intermediate model (codegen.ir).

Relies on codegen.validate having accepted the spec: names resolve, shapes are right.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any

from . import ir, typeexpr
from .names import constant_case, snake_case
from .validate import Definition, ValidatedSpec

PACKAGE = "anthropic_messages"

_PRIMITIVE_REFS = {
    "string": ir.TypeRef(kind="string", annotation="str", expected="a string"),
    "integer": ir.TypeRef(kind="integer", annotation="int", expected="an integer"),
    "number": ir.TypeRef(kind="number", annotation="float", expected="a number"),
    "boolean": ir.TypeRef(kind="boolean", annotation="bool", expected="true or false"),
    "any": ir.TypeRef(kind="any", annotation="Any", expected="any JSON value"),
}

# Names a decoder uses for itself; a field whose Python name is one of them gets a `_` suffix
# for its local variable.
_TAKEN_LOCALS = frozenset(
    {
        "type",
        "data",
        "strict",
        "extra",
        "error",
        "out",
        "obj",
        "seen",
        "len",
        "missing_field",
        "new_instance",
        "self",
        "value",
        "item",
        "key",
        "tag",
        "decoder",
        "isinstance",
        "list",
        "dict",
        "str",
        "int",
        "float",
        "bool",
        "next",
        "iter",
        "frozenset",
        "Any",
        "UNSET",
        "Unset",
        "DecodeError",
        "Model",
    }
)


def module_of(area: str) -> str:
    return f"_{area}"


def build(spec: ValidatedSpec) -> ir.Package:
    return _Builder(spec).package()


def _docs(body: Any, extra_beta: tuple[str, ...] = ()) -> ir.Docs:
    beta = body.get("beta", ())
    betas = (beta,) if isinstance(beta, str) else tuple(beta)
    deprecated = body.get("deprecated", False)
    if deprecated is True:
        note = "Deprecated."
    elif deprecated:
        note = str(deprecated)
    else:
        note = ""
    merged = tuple(dict.fromkeys(extra_beta + betas))
    return ir.Docs(
        description=str(body.get("description", "")).strip(), deprecated=note, beta=merged
    )


def _quote(value: str) -> str:
    """A string literal as black writes it (double quotes)."""
    return json.dumps(value, ensure_ascii=False)


def _literal(values: tuple[str, ...]) -> str:
    return "Literal[" + ", ".join(_quote(v) for v in values) + "]"


def _const_expected(values: tuple[str, ...]) -> str:
    if len(values) == 1:
        return _quote(values[0])
    return "one of " + ", ".join(_quote(v) for v in values)


def _or_list(items: list[str]) -> str:
    unique = list(dict.fromkeys(items))
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " or " + unique[-1]


def _table_name(union_name: str) -> str:
    return f"_{constant_case(union_name)}_VARIANTS"


class _Builder:
    def __init__(self, spec: ValidatedSpec) -> None:
        self.spec = spec
        self.defs = spec.definitions
        self.refs: dict[str, ir.TypeRef] = {}

    # Type references

    def named_ref(self, name: str) -> ir.TypeRef:
        cached = self.refs.get(name)
        if cached is not None:
            return cached
        definition = self.defs[name]
        snake, area = snake_case(name), definition.file.area
        if definition.kind == "object":
            ref = ir.TypeRef(
                kind="object",
                annotation=name,
                expected="an object",
                name=name,
                snake=snake,
                area=area,
            )
        elif definition.kind == "tagged_union":
            ref = ir.TypeRef(
                kind="tagged_union",
                annotation=name,
                expected="an object",
                name=name,
                snake=snake,
                area=area,
                tag=definition.body["union"]["tag"],
                table_name=_table_name(name),
            )
        elif definition.kind == "enum":
            is_open = definition.body.get("open", True)
            values = tuple(
                item if isinstance(item, str) else item["value"] for item in definition.body["enum"]
            )
            ref = ir.TypeRef(
                kind="enum",
                annotation=f"{name} | str" if is_open else name,
                expected="a string",
                values=values,
                open=is_open,
                name=name,
                snake=snake,
                area=area,
            )
        else:
            alternatives = tuple(self.alternative_ref(item) for item in definition.body["one_of"])
            ref = ir.TypeRef(
                kind="one_of",
                annotation=name,
                expected=_or_list([alt.expected for alt in alternatives]),
                alternatives=alternatives,
                name=name,
                snake=snake,
                area=area,
            )
        self.refs[name] = ref
        return ref

    def alternative_ref(self, item: Any) -> ir.TypeRef:
        if isinstance(item, dict):
            return self.const_ref((item["const"],))
        return self.expr_ref(typeexpr.parse(item))

    def const_ref(self, values: tuple[str, ...]) -> ir.TypeRef:
        return ir.TypeRef(
            kind="const",
            annotation=_literal(values),
            expected=_const_expected(values),
            values=values,
        )

    def expr_ref(self, expr: typeexpr.Expr) -> ir.TypeRef:
        if expr.kind in _PRIMITIVE_REFS:
            return _PRIMITIVE_REFS[expr.kind]
        if expr.kind == "named":
            return self.named_ref(expr.name)
        assert expr.inner is not None
        inner = self.expr_ref(expr.inner)
        if expr.kind == "list":
            return ir.TypeRef(
                kind="list", annotation=f"list[{inner.annotation}]", expected="an array", item=inner
            )
        return ir.TypeRef(
            kind="map",
            annotation=f"dict[str, {inner.annotation}]",
            expected="an object",
            item=inner,
        )

    # Definitions

    def field(self, wire_name: str, body: Any) -> ir.Field:
        if "const" in body:
            const = body["const"]
            ref = self.const_ref((const,) if isinstance(const, str) else tuple(const))
        else:
            ref = self.expr_ref(typeexpr.parse(body["type"]))
        optional = bool(body.get("optional", False))
        nullable = bool(body.get("nullable", False))
        python_name = body.get("python_name", wire_name)
        annotation = ref.annotation
        if nullable:
            annotation += " | None"
        if optional:
            annotation += " | Unset"
        if optional:
            default_code = "UNSET"
        elif ref.kind == "const":
            default_code = _quote(ref.values[0])
        else:
            default_code = ""
        return ir.Field(
            wire_name=wire_name,
            python_name=python_name,
            local_name=python_name,  # made unique per object in object_type()
            type=ref,
            optional=optional,
            nullable=nullable,
            annotation=annotation,
            default_code=default_code,
            default_json=json.dumps(body["default"]) if "default" in body else "",
            docs=_docs(body),
        )

    def object_type(self, definition: Definition) -> ir.ObjectType:
        fields: list[ir.Field] = []
        locals_taken: set[str] = set(_TAKEN_LOCALS)
        for wire_name, body in definition.body["fields"].items():
            f = self.field(wire_name, body)
            # A field's local variable must not shadow a helper or another field's local.
            local = f.python_name
            if local.startswith(("decode_", "_")):
                local = "field" + ("" if local.startswith("_") else "_") + local
            while local in locals_taken:
                local += "_"
            locals_taken.add(local)
            fields.append(dataclasses.replace(f, local_name=local))
        return ir.ObjectType(
            name=definition.name,
            snake=snake_case(definition.name),
            area=definition.file.area,
            fields=tuple(fields),
            docs=_docs(definition.body),
            known_fields_name=f"_{constant_case(definition.name)}_FIELDS",
        )

    def tagged_union(self, definition: Definition) -> ir.TaggedUnion:
        tag = definition.body["union"]["tag"]
        default_name = definition.body["union"].get("default")
        variants = []
        default = None
        default_takes_null = False
        for item in definition.body["variants"]:
            name = item if isinstance(item, str) else item["type"]
            target = self.defs[name]
            const = target.body["fields"][tag]["const"]
            local_beta = _docs(item).beta if isinstance(item, dict) else ()
            variant = ir.Variant(
                name=name,
                snake=snake_case(name),
                area=target.file.area,
                tags=(const,) if isinstance(const, str) else tuple(const),
                docs=_docs(target.body, extra_beta=local_beta),
            )
            variants.append(variant)
            if name == default_name:
                default = variant
                default_takes_null = bool(target.body["fields"][tag].get("nullable"))
        return ir.TaggedUnion(
            name=definition.name,
            snake=snake_case(definition.name),
            area=definition.file.area,
            tag=tag,
            variants=tuple(variants),
            default=default,
            unknown_class=f"Unknown{definition.name}",
            table_name=_table_name(definition.name),
            docs=_docs(definition.body),
            default_takes_null=default_takes_null,
        )

    def enum_type(self, definition: Definition) -> ir.EnumType:
        values = tuple(
            (
                ir.EnumValue(value=item, docs=ir.Docs())
                if isinstance(item, str)
                else ir.EnumValue(value=item["value"], docs=_docs(item))
            )
            for item in definition.body["enum"]
        )
        return ir.EnumType(
            name=definition.name,
            snake=snake_case(definition.name),
            area=definition.file.area,
            open=definition.body.get("open", True),
            values=values,
            values_name=f"_{constant_case(definition.name)}_VALUES",
            docs=_docs(definition.body),
        )

    # Modules

    def package(self) -> ir.Package:
        by_area: dict[str, list[Definition]] = defaultdict(list)
        for definition in self.defs.values():
            by_area[definition.file.area].append(definition)
        areas = tuple(self.area_module(area, by_area[area]) for area in self.spec.areas)
        unions = self.unions_module(areas)
        public: list[str] = []
        decoders: list[tuple[str, str, str]] = []
        for module in areas:
            for obj in module.objects:
                public.append(obj.name)
                decoders.append((obj.name, module.module, f"decode_{obj.snake}"))
            for union in module.tagged_unions:
                public += [union.name, union.unknown_class]
                decoders.append((union.name, module.module, f"decode_{union.snake}"))
            for one_of in module.one_ofs:
                public.append(one_of.name)
                decoders.append((one_of.name, module.module, f"decode_{one_of.snake}"))
            public += [enum.name for enum in module.enums]
        return ir.Package(
            name=PACKAGE,
            areas=areas,
            unions=unions,
            public_names=tuple(sorted(public)),
            decoders=tuple(sorted(decoders)),
            spec_files=tuple(m.source_file for m in areas if m.source_file),
        )

    def area_module(self, area: str, definitions: list[Definition]) -> ir.AreaModule:
        enums, objects, unions, one_ofs = [], [], [], []
        for definition in definitions:
            if definition.kind == "object":
                objects.append(self.object_type(definition))
            elif definition.kind == "enum":
                enums.append(self.enum_type(definition))
            elif definition.kind == "tagged_union":
                unions.append(self.tagged_union(definition))
            else:
                one_ofs.append(
                    ir.OneOf(
                        name=definition.name,
                        snake=snake_case(definition.name),
                        area=area,
                        ref=self.named_ref(definition.name),
                        docs=_docs(definition.body),
                    )
                )
        # Annotations name types of other areas and union aliases; only type checkers need them.
        annotation_names: set[str] = set()
        called_areas: set[str] = set()
        for obj in objects:
            for f in obj.fields:
                self.collect(f.type, annotation_names, called_areas)
        for union in unions:
            annotation_names.add(union.name)
            called_areas.update(v.area for v in union.variants)
        for one_of in one_ofs:
            annotation_names.add(one_of.name)
            for alt in one_of.ref.alternatives:
                self.collect(alt, annotation_names, called_areas)
        local = {d.name for d in definitions if d.kind in ("object", "enum")}
        type_imports: dict[str, set[str]] = defaultdict(set)
        for name in annotation_names - local:
            definition = self.defs[name]
            if definition.kind in ("tagged_union", "one_of"):
                type_imports["_unions"].add(name)
            else:
                type_imports[module_of(definition.file.area)].add(name)
        called_areas.discard(area)
        return ir.AreaModule(
            area=area,
            module=module_of(area),
            source_file=definitions[0].file.source_name if definitions else "",
            enums=tuple(enums),
            objects=tuple(objects),
            tagged_unions=tuple(unions),
            one_ofs=tuple(one_ofs),
            type_imports=tuple(
                ir.Import(m, tuple(sorted(n))) for m, n in sorted(type_imports.items())
            ),
            runtime_imports=(),
            area_imports=tuple(module_of(a) for a in sorted(called_areas)),
        )

    def collect(self, ref: ir.TypeRef, names: set[str], areas: set[str]) -> None:
        """Record the named types a reference mentions and the areas of their decoders."""
        if ref.item is not None:
            self.collect(ref.item, names, areas)
        if ref.is_named:
            names.add(ref.name)
            areas.add(ref.area)

    def unions_module(self, areas: tuple[ir.AreaModule, ...]) -> ir.UnionsModule:
        aliases: dict[str, ir.UnionAlias] = {}
        depends: dict[str, set[str]] = {}
        imports: dict[str, set[str]] = defaultdict(set)
        union_names = {u.name for m in areas for u in m.tagged_unions} | {
            o.name for m in areas for o in m.one_ofs
        }
        for module in areas:
            for union in module.tagged_unions:
                members = [v.name for v in union.variants] + [union.unknown_class]
                for variant in union.variants:
                    imports[module_of(variant.area)].add(variant.name)
                imports[module.module].add(union.unknown_class)
                aliases[union.name] = ir.UnionAlias(union.name, " | ".join(members), union.docs)
                depends[union.name] = set()
            for one_of in module.one_ofs:
                mentioned: set[str] = set()
                for alt in one_of.ref.alternatives:
                    self.collect(alt, mentioned, set())
                for name in mentioned - union_names:
                    imports[module_of(self.defs[name].file.area)].add(name)
                annotation = " | ".join(alt.annotation for alt in one_of.ref.alternatives)
                aliases[one_of.name] = ir.UnionAlias(one_of.name, annotation, one_of.docs)
                depends[one_of.name] = mentioned & union_names
        ordered: list[ir.UnionAlias] = []
        done: set[str] = set()

        def visit(name: str) -> None:
            if name in done:
                return
            done.add(name)
            for dependency in sorted(depends[name]):
                visit(dependency)
            ordered.append(aliases[name])

        for name in aliases:
            visit(name)
        return ir.UnionsModule(
            aliases=tuple(ordered),
            imports=tuple(ir.Import(m, tuple(sorted(n))) for m, n in sorted(imports.items())),
        )
