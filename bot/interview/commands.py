"""The interview's /commands, the buttons several of its screens show (主页, 预览, 导出, 检查全部,
提交 …), and what happens to a text or a file no screen takes."""

from __future__ import annotations

from .. import messages as M
from ..kit.io import Document, Reply
from ..kit.screen import Commands, Step, command, on
from . import actions as A
from . import files, status
from . import navigation as nav
from .excel import import_template
from .screens import registration
from .screens.checkup import checkup
from .screens.names import AWAIT_FILE, CHECK, CHECK_ALL, EXPORT, HUB, PREAMBLE, REG_NAME, START, YEAR
from .screens.question import continuation

REPORT_FILES = (".txt", ".html", ".htm", ".docx", ".pdf", ".json")  # published reports the check-up reads


class InterviewCommands(Commands):
    # -- commands --------------------------------------------------------------------------------------
    @command("start")
    def start(self, ctx, arg: str) -> Step:
        if arg:
            return self.start_payload(ctx, arg)
        state = ctx.state
        if ctx.agency_id is None:
            if ctx.settings.open_registration:
                return Step(state.goto(REG_NAME), notes=[Reply(M.WELCOME_NEW)])
            return Step(state.goto(START))
        # a member goes on where they were (the question they were on, else the first unanswered one)
        step = nav.continue_walk(ctx, state.replace(fails=0))
        return Step(step.state, prefix=M.welcome(ctx.agency_name, ctx.report.year))

    @command("help")
    def help(self, ctx, arg: str) -> Step:
        return Step(ctx.state, notes=[Reply(M.HELP)], show=False)

    @command("menu")
    def menu(self, ctx, arg: str) -> Step:
        return Step(ctx.state.goto(HUB if ctx.agency_id is not None else START))

    @command("cancel")
    def cancel(self, ctx, arg: str) -> Step:
        return Step(ctx.state.goto(HUB if ctx.agency_id is not None else START), prefix=M.CANCELLED)

    @command("check")
    def check(self, ctx, arg: str) -> Step:
        if ctx.agency_id is None:
            return Step(ctx.state.goto(AWAIT_FILE))
        # 检查全部 of the open report, and the next document is a published report to check
        return Step(ctx.state.goto(CHECK_ALL, wait=True))

    @command("report")
    def report(self, ctx, arg: str) -> Step:
        return self._member(ctx) or Step(ctx.state.goto(YEAR))

    @command("preview")
    def preview(self, ctx, arg: str) -> Step:
        return self._member(ctx) or Step(ctx.state, notes=files.preview(ctx, ctx.report), show=False)

    @command("export")
    def export(self, ctx, arg: str) -> Step:
        return self._member(ctx) or Step(ctx.state.goto(EXPORT))

    @command("template")
    def template(self, ctx, arg: str) -> Step:
        return self._member(ctx) or Step(ctx.state, notes=[files.template(ctx.report)], show=False)

    def unknown(self, ctx, name: str) -> Step:
        return Step(ctx.state, notes=[Reply(M.unknown_command(name))], show=False)

    @staticmethod
    def _member(ctx) -> Step | None:
        """For someone without an agency: what they see instead of a report command."""
        if ctx.agency_id is not None:
            return None
        return registration.unregistered_text(ctx, "")

    # -- buttons shown on several screens ------------------------------------------------------------------
    @on(A.ToHub)
    def to_hub(self, ctx, act) -> Step:
        return Step(ctx.state.goto(HUB))

    @on(A.Preview)
    def preview_button(self, ctx, act) -> Step:
        return Step(ctx.state, notes=files.preview(ctx, ctx.report), show=False)

    @on(A.Preamble)
    def preamble_button(self, ctx, act) -> Step:
        return Step(ctx.state.goto(PREAMBLE))

    @on(A.ExportMenu)
    def export_button(self, ctx, act) -> Step:
        return Step(ctx.state.goto(EXPORT))

    @on(A.ExportAs)
    def export_as(self, ctx, act) -> Step | None:
        from .screens.export import export

        return export(ctx, act.kind) if act.kind in files.DOC_KINDS else None

    @on(A.Template)
    def template_button(self, ctx, act) -> Step:
        return Step(ctx.state, notes=[files.template(ctx.report)], show=False)

    @on(A.CheckAll)
    def check_all(self, ctx, act) -> Step:
        return Step(ctx.state.goto(CHECK_ALL))

    @on(A.CheckSection)
    def check_section(self, ctx, act) -> Step | None:
        if not any(s.id == act.section for s in ctx.report.format.sections):
            return None
        return Step(ctx.state.goto(CHECK, sec=act.section))

    @on(A.Submit)
    def submit(self, ctx, act) -> Step:
        return status.submit(ctx, confirmed=False)

    @on(A.Reopen)
    def reopen(self, ctx, act) -> Step:
        return status.reopen(ctx)

    @on(A.Withdraw)
    def withdraw(self, ctx, act) -> Step:
        return status.withdraw(ctx)

    # -- what no screen takes --------------------------------------------------------------------------------
    def default_text(self, ctx, text: str) -> Step:
        if ctx.agency_id is None:
            return registration.unregistered_text(ctx, text)
        return continuation(ctx, text) or Step(ctx.state, prefix=M.USE_BUTTONS)

    def default_document(self, ctx, doc: Document) -> Step:
        name = doc.filename.lower()
        if ctx.agency_id is None:
            if ctx.state.screen == AWAIT_FILE or name.endswith(REPORT_FILES):
                return checkup(ctx, doc)
            return registration.unregistered_text(ctx, "")
        if name.endswith(".xlsx"):
            return import_template(ctx, doc)
        if name.endswith(REPORT_FILES):
            return checkup(ctx, doc)
        return Step(ctx.state, prefix=M.unsupported_file(doc.filename))
