"""Stage 4: turn the checked spec into the intermediate model (codegen.ir).

Relies on codegen.validate having accepted the spec: names resolve, shapes are right.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict

from . import beta_tables, expressions, ir, naming, typeexpr
from .pysource import Identifier, PySource, SpecText, identifier, string_literal
from . import spec_model
from .spec_model import Definition, Spec

PACKAGE = identifier(naming.PACKAGE)

_PRIMITIVE_REFS = {
    kind: ir.TypeRef(
        kind=kind, annotation=ir.KINDS[kind].annotation, expected=ir.KINDS[kind].expected
    )
    for kind in ("string", "integer", "number", "boolean", "any")
}


def module_of(area: str) -> Identifier:
    return identifier(naming.module_name(area))


def build(spec: Spec) -> ir.Package:
    package = _Builder(spec).package()
    return dataclasses.replace(package, betas=beta_tables.build(spec, package))


def _docs(docs: spec_model.Docs, extra_beta: tuple[str, ...] = ()) -> ir.Docs:
    if docs.deprecated is True:
        note = "Deprecated."
    elif docs.deprecated:
        note = str(docs.deprecated)
    else:
        note = ""
    merged = tuple(SpecText(b) for b in dict.fromkeys(extra_beta + docs.beta))
    return ir.Docs(description=SpecText(docs.description), deprecated=SpecText(note), beta=merged)


def _doc_text(docs: ir.Docs, fallback: str, default_json: str = "") -> SpecText:
    """A docstring's text: the description, then notes on beta, deprecation and the default."""
    parts: list[str] = [docs.description] if docs.description else []
    if docs.beta:
        headers = "` or `anthropic-beta: ".join(docs.beta)
        parts.append(f"Beta: send `anthropic-beta: {headers}` to use it.")
    if docs.deprecated:
        parts.append(f"Deprecated: {docs.deprecated}")
    if default_json:
        parts.append(f"When absent, the API assumes {default_json}.")
    return SpecText("\n\n".join(parts) or fallback)


def _enum_doc_text(
    name: str, docs: ir.Docs, is_open: bool, values: tuple[ir.EnumValue, ...]
) -> SpecText:
    parts: list[str] = [_doc_text(docs, f"{name}.")]
    if is_open:
        parts.append(
            "Open: values added to the API later decode as plain strings (strict decoding "
            "rejects them)."
        )
    else:
        parts.append("Closed: a value not listed here is rejected.")
    documented = [
        f"- `{value.value}`: " + _doc_text(value.docs, "").replace("\n\n", " ")
        for value in values
        if value.docs.description or value.docs.beta or value.docs.deprecated
    ]
    if documented:
        parts.append("\n".join(documented))
    return SpecText("\n\n".join(parts))


def _literal(values: tuple[SpecText, ...]) -> PySource:
    return PySource("Literal[" + ", ".join(string_literal(v) for v in values) + "]")


def _shown(value: str) -> str:
    """A value as error messages quote it (the runtime's describe() quotes strings alike)."""
    return json.dumps(value, ensure_ascii=False)


def _one_of(values: tuple[SpecText, ...]) -> SpecText:
    """What an error expects where a value must be one of `values`."""
    if len(values) == 1:
        return SpecText(_shown(values[0]))
    return SpecText("one of " + ", ".join(_shown(v) for v in values))


def _or_list(items: list[str]) -> SpecText:
    unique = list(dict.fromkeys(items))
    if len(unique) == 1:
        return SpecText(unique[0])
    return SpecText(", ".join(unique[:-1]) + " or " + unique[-1])


def _field_expected(ref: ir.TypeRef, nullable: bool) -> SpecText:
    what = _one_of(ref.values) if ref.kind == "enum" else ref.expected
    return SpecText(what + " or null") if nullable and ref.kind != "any" else what


def _table_name(union_name: str) -> Identifier:
    return identifier(naming.variants_table_name(union_name))


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.defs = spec.definitions
        self.refs: dict[str, ir.TypeRef] = {}
        # Variant name -> the tag its union tells it by, when that tag is one of its required
        # constants: its union's table then holds a decoder that does not check the tag again.
        tags_by_variant: dict[str, set[str]] = defaultdict(set)
        for definition in self.defs.values():
            if not isinstance(definition, spec_model.TaggedUnion):
                continue
            for item in definition.variants:
                target = self.defs[item.type_name]
                assert isinstance(target, spec_model.ObjectType)  # validated
                tag_field = next(f for f in target.fields if f.wire_name == definition.tag)
                if tag_field.is_const and not tag_field.optional:
                    tags_by_variant[item.type_name].add(definition.tag)
        # A variant of unions told apart by different tags keeps only its public decoder.
        self.union_tags: dict[str, str] = {
            name: next(iter(tags)) for name, tags in tags_by_variant.items() if len(tags) == 1
        }

    # Type references

    def named_ref(self, name: str) -> ir.TypeRef:
        cached = self.refs.get(name)
        if cached is not None:
            return cached
        definition = self.defs[name]
        type_name = identifier(name)
        decoder, area = identifier(naming.decoder_name(name)), identifier(definition.file.area)
        if isinstance(definition, spec_model.ObjectType):
            ref = ir.TypeRef(
                kind="object",
                annotation=PySource(type_name),
                expected=SpecText("an object"),
                name=type_name,
                decoder=decoder,
                area=area,
            )
        elif isinstance(definition, spec_model.TaggedUnion):
            ref = ir.TypeRef(
                kind="tagged_union",
                annotation=PySource(type_name),
                expected=SpecText("an object"),
                name=type_name,
                decoder=decoder,
                area=area,
                tag=SpecText(definition.tag),
                table_name=_table_name(name),
            )
        elif isinstance(definition, spec_model.EnumType):
            is_open = definition.open
            values = tuple(SpecText(item.value) for item in definition.values)
            ref = ir.TypeRef(
                kind="enum",
                annotation=PySource(f"{type_name} | str" if is_open else type_name),
                expected=SpecText("a string"),
                values=values,
                name=type_name,
                decoder=decoder,
                area=area,
            )
        else:
            alternatives = tuple(self.alternative_ref(item) for item in definition.alternatives)
            ref = ir.TypeRef(
                kind="one_of",
                annotation=PySource(type_name),
                expected=_or_list([alt.expected for alt in alternatives]),
                alternatives=alternatives,
                name=type_name,
                decoder=decoder,
                area=area,
            )
        self.refs[name] = ref
        return ref

    def alternative_ref(self, item: spec_model.Alternative) -> ir.TypeRef:
        if item.const is not None:
            return self.const_ref((SpecText(item.const),))
        assert item.type is not None  # validated
        return self.expr_ref(item.type)

    def const_ref(self, values: tuple[SpecText, ...]) -> ir.TypeRef:
        return ir.TypeRef(
            kind="const", annotation=_literal(values), expected=_one_of(values), values=values
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
                kind="list",
                annotation=PySource(f"list[{inner.annotation}]"),
                expected=SpecText("an array"),
                item=inner,
            )
        return ir.TypeRef(
            kind="map",
            annotation=PySource(f"dict[str, {inner.annotation}]"),
            expected=SpecText("an object"),
            item=inner,
        )

    # Definitions

    def field(self, field: spec_model.Field, area: str) -> ir.Field:
        if field.is_const:
            ref = self.const_ref(tuple(map(SpecText, field.const)))
        else:
            assert field.type is not None  # validated
            ref = self.expr_ref(field.type)
        optional, nullable = field.optional, field.nullable
        python_name = identifier(field.python_name or field.wire_name)
        annotation = ref.annotation
        if nullable:
            annotation = PySource(annotation + " | None")
        if optional:
            annotation = PySource(annotation + " | Unset")
        if optional:
            default_code = PySource("UNSET")
        elif ref.kind == "const":
            default_code = string_literal(ref.values[0])
        else:
            default_code = PySource("")
        docs = _docs(field.docs)
        default_json = SpecText(json.dumps(field.default) if field.has_default else "")
        local = identifier(naming.local_name(python_name))
        # The encoder reads a required field straight from the object, an optional one from the
        # local it tested against UNSET.
        value = local if optional else f"self.{python_name}"
        inline = expressions.inline_decode(ref, local)
        needs_decoding = inline is None and (
            ref.is_named or (ref.kind in ("list", "map") and not ref.is_free_json)
        )
        return ir.Field(
            wire_name=SpecText(field.wire_name),
            python_name=python_name,
            local_name=local,
            type=ref,
            optional=optional,
            nullable=nullable,
            annotation=annotation,
            default_code=default_code,
            default_json=default_json,
            expected=_field_expected(ref, nullable),
            docs=docs,
            doc_text=_doc_text(docs, "", default_json),
            invalid_test=expressions.invalid_test(ref, local, nullable),
            kept_check=expressions.kept_check(ref, local, nullable),
            decode_call=(expressions.decode_call(ref, local) if needs_decoding else PySource("")),
            stored_value=expressions.stored_value(ref, local, annotation, optional, nullable),
            encoded=expressions.encoded(ref, value, nullable),
            inline=inline,
            lazy_check=expressions.lazy_check(ref),
            lazy_expected=SpecText(expressions.lazy_expected(ref, _field_expected(ref, nullable))),
            deferred=expressions.is_deferred(ref),
        )

    def object_type(self, definition: spec_model.ObjectType) -> ir.ObjectType:
        docs = _docs(definition.docs)
        union_tag = self.union_tags.get(definition.name, "")
        fields = [self.field(member, definition.file.area) for member in definition.fields]
        return ir.ObjectType(
            name=identifier(definition.name),
            decoder=identifier(naming.decoder_name(definition.name)),
            area=identifier(definition.file.area),
            fields=tuple(fields),
            docs=docs,
            known_fields_name=identifier(naming.known_fields_name(definition.name)),
            key_orders_name=identifier(naming.key_orders_name(definition.name)),
            lazy_table_name=identifier(naming.lazy_table_name(definition.name)),
            doc_text=_doc_text(docs, f"{definition.name}."),
            union_tag=SpecText(union_tag),
            after_tag_decoder=(
                identifier(naming.after_tag_decoder_name(definition.name))
                if union_tag
                else Identifier("")
            ),
        )

    def tagged_union(self, definition: spec_model.TaggedUnion) -> ir.TaggedUnion:
        tag = definition.tag
        variants = []
        default = None
        default_takes_null = False
        for item in definition.variants:
            target = self.defs[item.type_name]
            assert isinstance(target, spec_model.ObjectType)  # validated
            tag_field = next(f for f in target.fields if f.wire_name == tag)
            variant = ir.Variant(
                name=identifier(item.type_name),
                decoder=identifier(naming.decoder_name(item.type_name)),
                area=identifier(target.file.area),
                tags=tuple(map(SpecText, tag_field.const)),
                docs=_docs(target.docs, extra_beta=item.beta),
                decoder_ref=expressions.decoder_ref(self.named_ref(item.type_name)),
                table_ref=(
                    PySource(naming.after_tag_decoder_name(item.type_name))
                    if item.type_name in self.union_tags
                    else expressions.decoder_ref(self.named_ref(item.type_name))
                ),
            )
            variants.append(variant)
            if item.type_name == definition.default:
                default = variant
                default_takes_null = tag_field.nullable
        return ir.TaggedUnion(
            name=identifier(definition.name),
            decoder=identifier(naming.decoder_name(definition.name)),
            area=identifier(definition.file.area),
            tag=SpecText(tag),
            tag_attribute=identifier(tag),
            variants=tuple(variants),
            default=default,
            unknown_class=identifier(naming.unknown_class_name(definition.name)),
            table_name=_table_name(definition.name),
            docs=_docs(definition.docs),
            default_takes_null=default_takes_null,
        )

    def enum_type(self, definition: spec_model.EnumType) -> ir.EnumType:
        values = tuple(
            ir.EnumValue(value=SpecText(item.value), docs=_docs(item.docs))
            for item in definition.values
        )
        docs = _docs(definition.docs)
        return ir.EnumType(
            name=identifier(definition.name),
            decoder=identifier(naming.decoder_name(definition.name)),
            area=identifier(definition.file.area),
            open=definition.open,
            values=values,
            values_name=identifier(naming.enum_values_name(definition.name)),
            expected=_one_of(tuple(value.value for value in values)),
            docs=docs,
            doc_text=_enum_doc_text(definition.name, docs, definition.open, values),
        )

    # Modules

    def package(self) -> ir.Package:
        by_area: dict[str, list[Definition]] = defaultdict(list)
        for definition in self.defs.values():
            if isinstance(definition, spec_model.ObjectType) and definition.abstract:
                continue  # only lends its fields to the objects that extend it
            by_area[definition.file.area].append(definition)
        tagged: list[ir.TaggedUnion] = []
        one_ofs: list[ir.OneOf] = []
        # A file that only declares beta headers makes no module.
        with_types = {definition.file.area for definition in self.spec.types}
        areas = tuple(
            self.area_module(file.area, by_area[file.area], tagged, one_ofs)
            for file in self.spec.files
            if file.area in with_types
        )
        areas = tuple(
            dataclasses.replace(
                area, siblings=tuple(other.module for other in areas if other is not area)
            )
            for area in areas
        )
        unions = self.unions_module(tagged, one_ofs)
        public = [name for module in areas for name in _type_names(module)]
        public += [alias.name for alias in unions.aliases]
        public += [union.unknown_class for union in tagged]
        exports = [ir.Exports(m.module, _exported(m)) for m in areas if _exported(m)]
        if unions.aliases:
            union_names = [union.unknown_class for union in tagged]
            union_names += [alias.name for alias in unions.aliases]
            union_names += [union.decoder for union in tagged] + [o.decoder for o in one_ofs]
            union_names += [union.table_name for union in tagged]
            exports.append(ir.Exports(identifier(naming.UNIONS_MODULE), tuple(sorted(union_names))))
        platforms, event_streams = self.platforms(exports)
        helpers = []
        if platforms:
            names = [route.constant for route in platforms]
            names += [c.decoder_class for c in event_streams]
            names += [c.encoder_function for c in event_streams]
            exports.append(ir.Exports(identifier(naming.PLATFORM_MODULE), tuple(sorted(names))))
            names += map(identifier, naming.PLATFORM_EXPORTS)
            if event_streams:
                names += map(identifier, naming.PLATFORM_STREAM_EXPORTS)
            helpers.append(ir.Exports(identifier(naming.PLATFORM_MODULE), tuple(sorted(names))))
        stream = (
            _StreamBuilder(self.spec).module(exports)
            if self.spec.streams and self.spec.streams[0].folds_events
            else None
        )
        event_stream = self.event_stream(tagged)
        if stream is not None:
            helpers.append(ir.Exports(stream.module, tuple(sorted(stream.exported))))
        if event_stream is not None:
            helpers.append(ir.Exports(event_stream.module, event_stream.names))
        helpers.append(
            ir.Exports(
                identifier(naming.BETAS_MODULE), tuple(map(identifier, naming.BETAS_EXPORTS))
            )
        )
        return ir.Package(
            name=PACKAGE,
            areas=areas,
            unions=unions,
            public_names=tuple(sorted(public)),
            union_decoders=tuple(
                sorted(
                    [(u.name, u.decoder) for u in tagged] + [(o.name, o.decoder) for o in one_ofs]
                )
            ),
            unknown_decoders=tuple((union.unknown_class, union.decoder) for union in tagged),
            runtime_module=identifier(naming.RUNTIME_MODULE),
            unions_module=identifier(naming.UNIONS_MODULE),
            platform_module=identifier(naming.PLATFORM_MODULE),
            exports=tuple(sorted(exports, key=lambda e: e.module)),
            spec_files=tuple(m.source_file for m in areas if m.source_file),
            stream=stream,
            event_stream=event_stream,
            helpers=tuple(sorted(helpers, key=lambda e: e.module)),
            platforms=platforms,
            event_streams=event_streams,
        )

    def event_stream(self, tagged: list[ir.TaggedUnion]) -> ir.EventStream | None:
        """The server-sent event helpers of the union the stream section names as its events
        (validated: a tagged union), or None without a stream section."""
        if not self.spec.streams:
            return None
        events = self.spec.streams[0].events
        union = next(u for u in tagged if u.name == events)
        return ir.EventStream(
            module=identifier(naming.SSE_MODULE),
            union=union.name,
            decoder=union.decoder,
            tag=union.tag,
            names=tuple(map(identifier, naming.SSE_EXPORTS)),
        )

    def platforms(
        self, exports: list[ir.Exports]
    ) -> tuple[tuple[ir.PlatformRoute, ...], tuple[ir.EventStreamCodec, ...]]:
        """The routes and event streams of the objects that declare `platform:`."""
        module_of = {name: e.module for e in exports for name in e.names}

        def imported(*names: str) -> tuple[tuple[Identifier, Identifier], ...]:
            return tuple((module_of[identifier(n)], identifier(n)) for n in names)

        routes: list[ir.PlatformRoute] = []
        codecs: list[ir.EventStreamCodec] = []
        for definition in self.defs.values():
            if not isinstance(definition, spec_model.ObjectType) or definition.platform is None:
                continue
            platform = definition.platform
            base = self.defs[definition.extends or ""]
            assert isinstance(base, spec_model.ObjectType)
            own = {f.wire_name for f in definition.fields}
            base_names = {f.wire_name for f in base.fields}
            routes.append(
                ir.PlatformRoute(
                    constant=identifier(platform.route),
                    base_class=identifier(base.name),
                    platform_class=identifier(definition.name),
                    path=SpecText(platform.path),
                    stream_path=_spec_text_or_none(platform.stream_path),
                    stream_flag=_spec_text_or_none(platform.stream_flag),
                    url_fields=tuple(
                        SpecText(f.wire_name) for f in base.fields if f.wire_name not in own
                    ),
                    constants=tuple(
                        (SpecText(f.wire_name), SpecText(f.const[0]))
                        for f in definition.fields
                        if f.is_const and f.wire_name not in base_names
                    ),
                    betas_field=_spec_text_or_none(platform.betas_field),
                    imported=imported(base.name, definition.name),
                )
            )
            events = platform.event_stream
            if events is not None:
                decoder = naming.decoder_name(events.event)
                codecs.append(
                    ir.EventStreamCodec(
                        decoder_class=identifier(events.decoder),
                        encoder_function=identifier(events.encoder),
                        event_type=identifier(events.event),
                        event_decoder=identifier(decoder),
                        imported=imported(events.event, decoder),
                    )
                )
        return tuple(routes), tuple(codecs)

    def area_module(
        self,
        area_name: str,
        definitions: list[Definition],
        tagged: list[ir.TaggedUnion],
        one_ofs: list[ir.OneOf],
    ) -> ir.AreaModule:
        """The module of one spec file; its unions go to `tagged` and `one_ofs`, for the unions'
        own module."""
        area = identifier(area_name)
        enums, objects = [], []
        for definition in definitions:
            if isinstance(definition, spec_model.ObjectType):
                objects.append(self.object_type(definition))
            elif isinstance(definition, spec_model.EnumType):
                enums.append(self.enum_type(definition))
            elif isinstance(definition, spec_model.TaggedUnion):
                tagged.append(self.tagged_union(definition))
            else:
                one_ofs.append(
                    ir.OneOf(
                        name=identifier(definition.name),
                        decoder=identifier(naming.decoder_name(definition.name)),
                        area=area,
                        ref=self.named_ref(definition.name),
                        docs=_docs(definition.docs),
                        branches=tuple(
                            expressions.one_of_branch(alternative)
                            for alternative in self.named_ref(definition.name).alternatives
                        ),
                    )
                )
        return ir.AreaModule(
            area=area,
            module=module_of(area),
            source_file=SpecText(definitions[0].file.source_name if definitions else ""),
            enums=tuple(enums),
            objects=tuple(objects),
        )

    def collect(self, ref: ir.TypeRef, names: set[Identifier]) -> None:
        """Record the named types a reference mentions."""
        if ref.item is not None:
            self.collect(ref.item, names)
        if ref.is_named:
            names.add(ref.name)

    def unions_module(
        self, tagged: list[ir.TaggedUnion], one_ofs: list[ir.OneOf]
    ) -> ir.UnionsModule:
        aliases: dict[str, ir.UnionAlias] = {}
        depends: dict[str, set[Identifier]] = {}
        union_names = {u.name for u in tagged} | {o.name for o in one_ofs}
        for union in tagged:
            members = [v.name for v in union.variants] + [union.unknown_class]
            aliases[union.name] = ir.UnionAlias(
                union.name,
                PySource(" | ".join(members)),
                union.docs,
                _doc_text(union.docs, f"{union.name}."),
                tagged=union,
                one_of=None,
            )
            depends[union.name] = set()
        for one_of in one_ofs:
            mentioned: set[Identifier] = set()
            for alt in one_of.ref.alternatives:
                self.collect(alt, mentioned)
            aliases[one_of.name] = ir.UnionAlias(
                one_of.name,
                PySource(" | ".join(alt.annotation for alt in one_of.ref.alternatives)),
                one_of.docs,
                _doc_text(one_of.docs, f"{one_of.name}."),
                tagged=None,
                one_of=one_of,
            )
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

        for alias_name in aliases:
            visit(alias_name)
        return ir.UnionsModule(aliases=tuple(ordered))


def _type_names(module: ir.AreaModule) -> list[Identifier]:
    return [e.name for e in module.enums] + [o.name for o in module.objects]


def _exported(module: ir.AreaModule) -> tuple[Identifier, ...]:
    """What other modules may import from an area module: its types and their decoders."""
    names = _type_names(module) + [e.decoder for e in module.enums]
    names += [o.after_tag_decoder for o in module.objects if o.after_tag_decoder]
    return tuple(sorted(names + [o.decoder for o in module.objects]))


def _spec_text_or_none(text: str | None) -> SpecText | None:
    return None if text is None else SpecText(text)


# Streams


class _StreamBuilder:
    """The accumulator module from the spec's stream section (validated: every name resolves,
    the roles carry the members the accumulator reads, each fold fits)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.section = spec.streams[0]
        self.defs = spec.definitions

    def object(self, name: str) -> spec_model.ObjectType:
        found = self.defs[name]
        assert isinstance(found, spec_model.ObjectType)  # validated
        return found

    def member_type(self, owner: str, member: str) -> str:
        field = self.object(owner).field_named(member)
        assert field is not None and field.type is not None  # validated
        return field.type.name

    def copies(
        self, source: str, target: str, skip: tuple[str, ...] = (), null_is_absent: bool = False
    ) -> tuple[ir.MemberCopy, ...]:
        """The members of `source` that `target` has too, by wire name. With `null_is_absent`
        a null never overwrites (a usage count sent as null was not reported)."""
        found = []
        target_type = self.object(target)
        for field in self.object(source).fields:
            if field.is_const or field.wire_name in skip:
                continue
            other = target_type.field_named(field.wire_name)
            if other is None or other.is_const:
                continue
            found.append(
                ir.MemberCopy(
                    source=identifier(field.python_name or field.wire_name),
                    target=identifier(other.python_name or other.wire_name),
                    optional=field.optional,
                    nullable=field.nullable,
                    target_nullable=other.nullable and not null_is_absent,
                )
            )
        return tuple(found)

    def module(self, exports: list[ir.Exports]) -> ir.StreamModule:
        section = self.section
        role = section.role
        message = self.member_type(role("message_start"), "message")
        usage = self.member_type(message, "usage")
        blocks = self.member_type(role("block_start"), "content_block")
        deltas = self.member_type(role("block_delta"), "delta")
        block_union = self.defs[blocks]
        assert isinstance(block_union, spec_model.TaggedUnion)
        block_types = [self.object(v.type_name) for v in block_union.variants]
        folds = []
        for fold in section.folds:
            if fold.how == "ignore":
                continue
            source = self.object(fold.delta).field_named(fold.member)
            assert source is not None
            fits = []
            for block in block_types:
                target = block.field_named(fold.into)
                if (
                    target is not None
                    and not target.is_const
                    and spec_model.fold_fits(fold.how, source, target)
                ):
                    fits.append(identifier(block.name))
            into = next(self.object(name).field_named(fold.into) for name in fits)
            assert into is not None
            folds.append(
                ir.FoldRule(
                    delta=identifier(fold.delta),
                    member=identifier(source.python_name or source.wire_name),
                    optional=source.optional,
                    how=fold.how,
                    into=identifier(into.python_name or into.wire_name),
                    blocks=tuple(fits),
                )
            )
        folded = {fold.delta for fold in folds}
        ignored_deltas = tuple(
            identifier(fold.delta) for fold in section.folds if fold.delta not in folded
        )
        delta_event = self.object(role("message_delta"))
        delta_part = self.member_type(role("message_delta"), "delta")
        delta_usage = self.member_type(role("message_delta"), "usage")
        event_copies = self.copies(delta_event.name, message, skip=("delta", "usage"))
        totals = None
        if section.usage is not None:
            names = section.usage
            by_ttl = identifier(names.member("cache_creation_by_ttl"))
            server = self.object(names.types[0]).field_named(names.member("server_tool_use"))
            kinds: tuple[Identifier, ...] = ()
            if server is not None and server.type is not None and server.type.kind == "named":
                counter = self.defs.get(server.type.name)
                if isinstance(counter, spec_model.ObjectType):
                    kinds = tuple(
                        identifier(f.python_name or f.wire_name)
                        for f in counter.fields
                        if f.type is not None and f.type.kind == "integer"
                    )
            totals = ir.UsageTotalsNames(
                types=tuple(identifier(t) for t in names.types),
                input=identifier(names.member("input")),
                output=identifier(names.member("output")),
                cache_read=identifier(names.member("cache_read")),
                cache_creation=identifier(names.member("cache_creation")),
                cache_creation_by_ttl=by_ttl,
                ttl_5m=identifier(names.member("ttl_5m")),
                ttl_1h=identifier(names.member("ttl_1h")),
                server_tool_use=identifier(names.member("server_tool_use")),
                server_tool_kinds=kinds,
                iterations=(
                    identifier(names.member("iterations")) if names.member("iterations") else None
                ),
            )
        block_sets = []
        for rule in section.block_sets:
            owner = self.object(rule.block)
            path = []
            for step in rule.path:
                member = owner.field_named(step)
                assert member is not None and member.type is not None  # validated
                path.append(identifier(member.python_name or member.wire_name))
                if member.type.kind == "named":
                    owner = self.object(member.type.name)
            target = self.object(message).field_named(rule.into)
            assert target is not None
            set_member = identifier(target.python_name or target.wire_name)
            steps = ", ".join(f'"{step}"' for step in path) + ("," if len(path) == 1 else "")
            block_sets.append((identifier(rule.block), PySource(f"({steps})"), set_member))
        wanted = {section.events, naming.unknown_class_name(section.events), message, usage}
        wanted |= {event for _, event, _ in section.roles} | {e for e, _ in section.ignored}
        wanted |= {naming.unknown_class_name(blocks), naming.unknown_class_name(deltas)}
        wanted |= {fold.delta for fold in folds} | {b for fold in folds for b in fold.blocks}
        wanted |= set(ignored_deltas) | {rule.block for rule in section.block_sets}
        if totals is not None:
            wanted |= set(totals.types)
        imports = tuple(
            ir.Exports(e.module, tuple(n for n in e.names if n in wanted))
            for e in exports
            if any(n in wanted for n in e.names)
        )
        return ir.StreamModule(
            module=identifier(naming.ACCUMULATE_MODULE),
            doc_text=SpecText(section.description),
            events=identifier(section.events),
            unknown_event=identifier(naming.unknown_class_name(section.events)),
            message=identifier(message),
            usage=identifier(usage),
            message_start=identifier(role("message_start")),
            block_start=identifier(role("block_start")),
            block_delta=identifier(role("block_delta")),
            block_stop=identifier(role("block_stop")),
            message_delta=identifier(role("message_delta")),
            message_stop=identifier(role("message_stop")),
            error=identifier(role("error")),
            ignored=tuple(identifier(e) for e, _ in section.ignored),
            unknown_block=identifier(naming.unknown_class_name(blocks)),
            unknown_delta=identifier(naming.unknown_class_name(deltas)),
            folds=tuple(
                ir.DeltaFolds(delta, tuple(f for f in folds if f.delta == delta))
                for delta in dict.fromkeys(f.delta for f in folds)
            ),
            ignored_deltas=ignored_deltas,
            delta_copies=self.copies(delta_part, message),
            event_copies=event_copies,
            usage_copies=self.copies(delta_usage, usage, null_is_absent=True),
            totals=totals,
            block_sets=tuple(block_sets),
            imports=imports,
            exported=tuple(
                identifier(n)
                for n in naming.ACCUMULATOR_EXPORTS
                if totals is not None or n not in naming.USAGE_TOTALS_EXPORTS
            ),
        )
