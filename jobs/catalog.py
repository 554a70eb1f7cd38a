"""The account's metadata a mapping resolves names against: pipelines, stages,
users and deal fields (with their options).

A plain, immutable data model with local indexes. The import job fills it once
from list pulls (``Catalog.from_api`` takes the raw v2 / v1 JSON); everything
here is offline — no lookup ever costs a token. Names are matched case- and
whitespace-insensitively; a name that matches two things is an error, never a
guess. Lookups raise ``InputError(reason)``; callers add where it came from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bulk.errors import AmbiguousName, InputError

from .transforms import email_key, how_alike, norm_key, normalize_email, shown_key, stage_key
from .transforms.values import STAGE_SEPARATOR as _STAGE_SEPARATOR
from .transforms.values import same_truth

# a stage's or pipeline's name as matched: one fold for both (``transforms.stage_key``)
_fold = stage_key


@dataclass(frozen=True, slots=True)
class Pipeline:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Stage:
    id: int
    name: str
    pipeline_id: int
    order_nr: int = 0


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    email: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Option:
    id: int
    label: str


# The built-in deal field holding labels: "label_ids" in v2 (a set), "label" in older data.
LABEL_FIELD_CODES = ("label_ids", "label")


@dataclass(frozen=True, slots=True)
class DealField:
    code: str
    name: str
    type: str
    options: tuple[Option, ...] = ()
    is_custom: bool = False
    # False for a stand-in a job kind adds for its own use (update's deal-id column): found
    # by its code, never listed to a person (x30r1 L2: ``(fields: ..., __pdbulk_deal_id__)``)
    listed: bool = True

    def option(self, label: str) -> Option:
        """The option with this label (case/whitespace-insensitive)."""
        key = norm_key(label)
        found = [o for o in self.options if norm_key(o.label) == key]
        if len(found) == 1:
            return found[0]
        if found:  # x49r1 F6: "2 options named 'Hot'" for a cell HOT (options Hot, HOT)
            names = " and ".join(shown_key(o.label) for o in found)
            raise AmbiguousName(f"field {self.name!r} has {len(found)} options that "
                                f"{shown_key(label)} names: {names}, which differ only by "
                                f"{how_alike([o.label for o in found])}; rename one of them "
                                "in Pipedrive")
        # a yes/no cell (an XLSX TRUE, the CSV word true or 1) is the one option saying so
        said = same_truth(label, (o.label for o in self.options))
        if said is not None:
            return self.option(said)
        labels = [o.label for o in self.options]
        if any("," in x or ";" in x for x in labels):  # x12r1 F4: a list one cannot read
            labels = [repr(x) for x in labels]
        raise InputError(f"field {self.name!r} has no option {label!r} "
                         f"(options: {_names(labels)})")


T = TypeVar("T")


def _names(names: Iterable[str], limit: int = 12) -> str:
    items = list(names)
    shown = ", ".join(items[:limit])
    return (shown + f", … ({len(items)} in all)") if len(items) > limit else shown or "none"


def _index(items: Iterable[T], *keys: Any, by: Callable[[str], str] = norm_key
           ) -> dict[str, list[T]]:
    index: dict[str, list[T]] = defaultdict(list)
    for item in items:
        for key in keys:
            value = key(item)
            if value:
                index[by(value)].append(item)
    return dict(index)


def _mail_key(text: str) -> str:
    """A user's e-mail as matched: the ``email_key`` of the address (``Name <addr>`` and
    ``mailto:`` unwrapped), not ``norm_key``'s full case fold, which read ``strasse@`` as
    ``straße@`` (x19r4 F1: every case spelling one key, ``ß`` never ``ss``)."""
    try:
        address = normalize_email(text)
    except InputError:
        address = None
    return email_key(address or text.strip())


@dataclass(frozen=True)
class Catalog:
    """Pipelines, stages, users and deal fields of one Pipedrive account."""

    pipelines: tuple[Pipeline, ...] = ()
    stages: tuple[Stage, ...] = ()
    users: tuple[User, ...] = ()
    deal_fields: tuple[DealField, ...] = ()
    _stages: dict[str, list[Stage]] = field(init=False, repr=False, compare=False)
    _pipelines_folded: dict[str, list[Pipeline]] = field(init=False, repr=False,
                                                         compare=False)
    _user_emails: dict[str, list[User]] = field(init=False, repr=False, compare=False)
    _user_names: dict[str, list[User]] = field(init=False, repr=False, compare=False)
    _fields: dict[str, list[DealField]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("pipelines", "stages", "users", "deal_fields"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        put = object.__setattr__
        put(self, "_stages", _index(self.stages, lambda s: s.name, by=_fold))
        put(self, "_pipelines_folded", _index(self.pipelines, lambda p: p.name, by=_fold))
        put(self, "_user_emails", _index(self.users, lambda u: u.email, by=_mail_key))
        put(self, "_user_names", _index(self.users, lambda u: u.name))
        put(self, "_fields", _index(self.deal_fields, lambda f: f.name))

    def __repr__(self) -> str:
        return (f"Catalog({len(self.pipelines)} pipelines, {len(self.stages)} stages, "
                f"{len(self.users)} users, {len(self.deal_fields)} deal fields)")

    @classmethod
    def from_api(cls, *, pipelines: Sequence[Mapping[str, Any]] = (),
                 stages: Sequence[Mapping[str, Any]] = (),
                 users: Sequence[Mapping[str, Any]] = (),
                 deal_fields: Sequence[Mapping[str, Any]] = ()) -> Catalog:
        """Build from the ``data`` items of GET /api/v2/pipelines, /api/v2/stages,
        /v1/users and /api/v2/dealFields. Deleted pipelines and stages are left out."""
        live = [p for p in pipelines if not p.get("is_deleted")]
        return cls(
            pipelines=tuple(Pipeline(int(p["id"]), str(p["name"])) for p in live),
            stages=tuple(
                Stage(int(s["id"]), str(s["name"]), int(s["pipeline_id"]),
                      int(s.get("order_nr") or 0))
                for s in stages if not s.get("is_deleted")),
            users=tuple(
                User(int(u["id"]), str(u.get("name") or ""), u.get("email") or None,
                     bool(u.get("active_flag", u.get("active", True))))
                for u in users),
            deal_fields=tuple(
                DealField(str(f["field_code"]), str(f.get("field_name") or f["field_code"]),
                          str(f.get("field_type") or "varchar"),
                          tuple(Option(int(o["id"]), str(o["label"]))
                                for o in f.get("options") or ()),
                          bool(f.get("is_custom_field", False)))
                for f in deal_fields),
        )

    # ------------------------------------------------------------ pipelines, stages

    def pipeline(self, name: str) -> Pipeline:
        """The pipeline named ``name``, its separators, case and spacing folded as a stage's
        (``_fold``: ``Asia > Pacific`` is ``Asia U+203A Pacific``; x48r8 F2). Raises
        ``AmbiguousName`` when two fit, ``InputError`` when none does."""
        found = self._pipelines_folded.get(_fold(name), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(f"{len(found)} pipelines are named {name!r}")
        raise InputError(f"no pipeline named {name!r} "
                         f"(pipelines: {_names(p.name for p in self.pipelines)})")

    def pipeline_by_id(self, pipeline_id: int) -> Pipeline:
        for p in self.pipelines:
            if p.id == pipeline_id:
                return p
        raise InputError(f"no pipeline with id {pipeline_id}")

    def stages_in(self, pipeline_id: int) -> list[Stage]:
        """The pipeline's stages in board order."""
        return sorted((s for s in self.stages if s.pipeline_id == pipeline_id),
                      key=lambda s: (s.order_nr, s.id))

    def stage(self, name: str, pipeline_id: int | None = None) -> Stage:
        """The stage ``name`` reads as, in the pipeline ``pipeline_id`` when given.

        ``name`` may name its pipeline as pdbulk prints it, ``Sales`` U+203A ``Proposal Made``
        or ``Sales > Proposal Made`` (x47r8 F1); every reading is enumerated (``_readings``:
        a stage's own name, and each split at a separator into pipeline + stage) and exactly
        one must fit, a reading in ``pipeline_id``'s pipeline winning over the others (x48r2
        F1: ``Sales > Qualified`` was Partnerships' stage of that name, unsaid). Raises
        ``AmbiguousName`` naming every candidate when two or more fit (never a guess);
        ``InputError`` for no such stage, or one only in a pipeline other than
        ``pipeline_id``'s."""
        readings = self._readings(name)
        found = [s for s, _ in readings if pipeline_id is None or s.pipeline_id == pipeline_id]
        if len(found) == 1:
            return found[0]
        where = (f" in pipeline {self.pipeline_by_id(pipeline_id).name!r}"
                 if pipeline_id is not None else "")
        if found:
            raise AmbiguousName(self._ambiguous(name, found, where, readings))
        split = [(s, p) for s, p in readings if p]
        if split:  # named with another pipeline than the row's
            raise InputError(f"stage {name!r} is in pipeline "
                             f"{self.pipeline_by_id(split[0][0].pipeline_id).name!r}, not in "
                             f"pipeline {self.pipeline_by_id(pipeline_id or 0).name!r}")
        for pipe, rest in self._splits(name):
            if pipeline_id is None or pipe.id == pipeline_id:  # the pipeline lacks the stage
                return self.stage(rest, pipe.id)
        choices = self.stages_in(pipeline_id) if pipeline_id is not None else self.stages
        raise InputError(f"no stage named {name!r}{where} "
                         f"(stages: {_names(self.stage_names(choices))})")

    def names_a_stage(self, name: str) -> bool:
        """Whether ``name`` reads as some pipeline's stage: plain, or as ``Pipeline`` U+203A
        ``Stage`` (or ``>``)."""
        return bool(self._readings(name))

    def with_its_pipeline(self, name: str) -> Stage | None:
        """The stage ``name`` reads as when it names its own pipeline (``Inbound - Web``
        U+203A ``Won``) and has no other reading, else None: move-stage's target, which
        names its pipeline whatever ``--pipeline`` selected (x48r8 F4)."""
        readings = self._readings(name)
        return readings[0][0] if len(readings) == 1 and readings[0][1] else None

    def pipelines_heading(self, name: str) -> list[Pipeline]:
        """The pipelines ``name`` names at its head (``Sales > Won``: Sales), whether or not
        the rest is a stage of them, each once; [] for a cell naming none (w56r1 F3: such a
        cell's refusal was said as a row's that names no pipeline)."""
        return list({pipe.id: pipe for pipe, _ in self._splits(name)}.values())

    def named_twins(self, name: str) -> list[Stage]:
        """The stages ``name`` reads as when it names their pipeline (``Sales > Qualified``)
        and they are two or more of it whose names differ only by case or spacing (Sales
        holds ``Qualified`` and ``qualified``): no spelling tells them apart (x50r4 F3);
        else []."""
        readings = self._readings(name)
        if len(readings) > 1 and all(split for _, split in readings) and len(
                {(s.pipeline_id, _fold(s.name)) for s, _ in readings}) == 1:
            return [s for s, _ in readings]
        return []

    def _readings(self, name: str) -> list[tuple[Stage, bool]]:
        """Every stage ``name`` may mean, each once, with whether it was read split into
        pipeline + stage: the stages named ``name``, and for each ``>`` / U+203A in it, the
        stages named by the rest in the pipelines the head names — separators, case and
        spacing folded alike on both sides (``_fold``)."""
        out: dict[int, tuple[Stage, bool]] = {}
        for s in self._stages.get(_fold(name), []):
            out.setdefault(s.id, (s, False))
        for pipe, rest in self._splits(name):
            for s in self._stages.get(_fold(rest), []):
                if s.pipeline_id == pipe.id:
                    out.setdefault(s.id, (s, True))
        return list(out.values())

    def _splits(self, name: str) -> Iterator[tuple[Pipeline, str]]:
        """``name`` split at each separator whose head names a pipeline: (pipeline, rest)."""
        for sep in _STAGE_SEPARATOR.finditer(name):
            head, rest = name[:sep.start()], name[sep.end():]
            if rest.strip():
                for pipe in self._pipelines_folded.get(_fold(head), []):
                    yield pipe, rest

    def _ambiguous(self, name: str, found: Sequence[Stage], where: str,
                   readings: Sequence[tuple[Stage, bool]]) -> str:
        """Why ``name`` is refused: each candidate, and a spelling with one reading for
        each that has one (its bare name, else ``Pipeline`` U+203A ``Stage``), "name the
        pipeline" (said once; callers word it as their option) for those that need it;
        stages of one pipeline whose names differ only by case or spacing are said to be
        so, since no spelling and no pipeline tells them apart (x48r8 F5)."""
        pipes = {p.id: p.name for p in self.pipelines}
        twins: dict[tuple[int, str], list[Stage]] = defaultdict(list)
        for s in found:
            twins[(s.pipeline_id, _fold(s.name))].append(s)
        alike = [group for group in twins.values() if len(group) > 1]
        spell: list[str] = []
        several = not any(p for _, p in readings)  # one name in several pipelines (x26r2 4a)
        in_pipes = list(dict.fromkeys(pipes.get(s.pipeline_id, str(s.pipeline_id))
                                      for s in found))
        named = several and len(in_pipes) > 1  # said once: "or name the pipeline"
        for s in found:
            if any(s in group for group in alike):
                continue
            for form in (s.name, f"{pipes.get(s.pipeline_id, s.pipeline_id)} \u203a {s.name}"):
                if [r for r, _ in self._readings(form)] == [s]:
                    spell.append(repr(form))
                    break
            else:  # its own name is one stage once its pipeline is named ("several": the
                # advice ends in "or name the pipeline", said once, never per candidate)
                if not several and [r for r, _ in self._readings(s.name)
                                    if r.pipeline_id == s.pipeline_id] == [s]:
                    spell.append(f"{s.name!r} and name the pipeline")
        twin_note = "; ".join(
            "stages " + " and ".join(repr(s.name) for s in group) + " of pipeline "
            f"{pipes.get(group[0].pipeline_id, group[0].pipeline_id)!r} differ only by case "
            "or spacing, which no spelling tells apart: rename one in Pipedrive"
            for group in alike)
        advice = ", ".join(spell[:-1]) + (" or " if len(spell) > 1 else "") + (
            spell[-1] if spell else "")
        if named:
            advice = f"write {advice} or name the pipeline" if spell else "name the pipeline"
        elif advice:
            advice = f"write {advice}"
        if several:
            head = f"stage {name!r} is ambiguous" + (
                f"{where} (in pipelines {_names(in_pipes)})" if len(in_pipes) > 1
                else where or f" in pipeline {in_pipes[0]!r}")
        else:
            told = " or ".join(f"{pipes.get(s.pipeline_id, s.pipeline_id)} \u203a {s.name}"
                               for s in found)
            head = f"stage {name!r} may be {told}{where}"
        return "; ".join(x for x in (head, advice, twin_note) if x)

    def stage_names(self, stages: Iterable[Stage]) -> list[str]:
        """Stages as a list names them: each with its pipeline ("Sales", U+203A, "Qualified") when
        they are in more than one pipeline — two pipelines often share a stage name, and
        a bare "Qualified, Qualified" tells no one which to write."""
        stages = list(stages)
        if len({s.pipeline_id for s in stages}) < 2:
            return [s.name for s in stages]
        pipes = {p.id: p.name for p in self.pipelines}
        return [f"{pipes.get(s.pipeline_id, s.pipeline_id)} \u203a {s.name}" for s in stages]

    # ------------------------------------------------------------ users

    def user(self, ref: str) -> User:
        """A user by e-mail (when ``ref`` has an ``@``: ``Name <addr>`` and ``mailto:``
        unwrapped) or by name; an active user wins over a deactivated namesake."""
        by_email = "@" in ref
        index = self._user_emails if by_email else self._user_names
        # "Tom Becker <tom@x>", "mailto:tom@x" (x14r2)
        key = _mail_key(ref) if by_email else norm_key(ref)
        found = index.get(key, [])
        if len(found) > 1:
            found = [u for u in found if u.active] or found
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(f"{len(found)} users are named {ref!r}; use the e-mail address")
        raise InputError(f"no user {'with e-mail' if by_email else 'named'} {ref!r}")

    # ------------------------------------------------------------ fields

    def field(self, label: str, *, custom: bool | None = None) -> DealField:
        """A deal field by its label (``field_name``) or its exact ``field_code``.

        ``custom=True`` accepts only custom fields, ``False`` only built-in ones.
        """
        found = self._fields.get(norm_key(label), [])
        if not found:
            found = [f for f in self.deal_fields if f.code == label]
        if custom is not None:
            other = [f for f in found if f.is_custom != custom]
            found = [f for f in found if f.is_custom == custom]
            if not found and other:
                kind = "a built-in field" if custom else "a custom field"
                raise InputError(f"{label!r} is {kind}")
        if len(found) == 1:
            return found[0]
        if found:  # AmbiguousName: never taken for a field that is missing (x12r1 F3)
            raise AmbiguousName(f"{len(found)} deal fields are labelled {label!r} (in any "
                                f"case); use a field code ({', '.join(f.code for f in found)})")
        pool = [f for f in self.deal_fields
                if f.listed and (custom is None or f.is_custom == custom)]
        raise InputError(f"no deal field labelled {label!r} "
                         f"(fields: {_names(f.name for f in pool)})")

    def field_by_code(self, code: str) -> DealField:
        for f in self.deal_fields:
            if f.code == code:
                return f
        raise InputError(f"no deal field with code {code!r}")

    def label_field(self) -> DealField:
        """The built-in deal field that holds labels (its options are the labels)."""
        for code in LABEL_FIELD_CODES:
            for f in self.deal_fields:
                if f.code == code:
                    return f
        raise InputError("the account has no deal label field (label_ids)")

    def value_names(self, code: str) -> dict[str, str]:
        """What the ids a deal field holds are called, id (as text) -> name: a field's
        options by label, a stage (with its pipeline when several), a pipeline or a user by
        name; {} for a field whose values are not ids the catalog names. What a conflict
        shows instead of the bare id (x26r2 1: "Lead source: 4 then, 5 now")."""
        users = {"owner_id", "user_id", "creator_user_id"}
        try:
            field: DealField | None = self.field_by_code(code)
        except InputError:
            field = None
        if field is not None and field.options:
            return {str(o.id): o.label for o in field.options}
        if code == "stage_id" or (field is not None and field.type == "stage"):
            return {str(s.id): name
                    for s, name in zip(self.stages, self.stage_names(self.stages), strict=True)}
        if code == "pipeline_id":
            return {str(p.id): p.name for p in self.pipelines}
        if code in users or (field is not None and field.type == "user"):
            return {str(u.id): u.name for u in self.users if u.name}
        return {}

    def option_id(self, label_or_code: str, option_label: str) -> int:
        """The id of a field's option, both by label."""
        return self.field(label_or_code).option(option_label).id


__all__ = ["LABEL_FIELD_CODES", "Catalog", "DealField", "Option", "Pipeline", "Stage", "User"]
