"""The interview's buttons, as typed actions (bot/kit/actions.py). Each is checked against the
user's state token: a button of a screen the user has left is "已过期"."""

from __future__ import annotations

from ..kit.actions import Index, Key, Year, action


# -- moving around --------------------------------------------------------------------------------
@action("hub")
class ToHub: ...


@action("cont")
class Continue: ...


@action("yrs")
class ChooseYear: ...


@action("yr")
class PickYear:
    year: Year


@action("pv")
class Preview: ...


@action("ex")
class ExportMenu: ...


@action("x")
class ExportAs:
    kind: Key


@action("sgt")
class SignToday: ...


@action("tpl")
class Template: ...


@action("pre")
class Preamble: ...


@action("pre0")
class NoPreamble: ...


@action("pre1")
class StandardPreamble: ...


@action("all")
class CheckAll: ...


@action("c")
class CheckSection:
    section: Key


@action("s")
class EnterSection:
    section: Key


@action("ns")
class NextSection: ...


@action("e")
class Edit:
    question: Key


# -- submitting ---------------------------------------------------------------------------------------
@action("sub")
class Submit: ...


@action("subok")
class SubmitAnyway: ...


@action("reopen")
class Reopen: ...


@action("wd")
class Withdraw: ...


# -- a question ------------------------------------------------------------------------------------------
@action("back")
class Back: ...


@action("skip")
class Skip: ...


@action("next")
class Keep: ...


@action("y")
class Yes: ...


@action("n")
class No: ...


@action("un")
class ChooseUnit:
    index: Index


@action("ok")
class ConfirmCarry: ...


@action("b0")
class BlanksAreZero: ...


@action("nofee")
class NoFees: ...


@action("draft")
class UseDraft: ...


@action("app")
class Append: ...


@action("rep")
class Replace: ...


@action("drop")
class DropPending: ...


@action("mv")
class MoveHere: ...


# -- registration, the check-up of a published report -------------------------------------------------
@action("k")
class RegisterKind:
    kind: Key


@action("imp")
class Import: ...


@action("impok")
class ImportOverwrite: ...


@action("noimp")
class NoImport: ...
