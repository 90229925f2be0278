"""A progress bar on the command line, for the commands that run a job's work in-process
(import_report, rebuild_search_index): the stage's label, a bar, done/total."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from kb.site.models import Job

BAR = 30


class ProgressBar:
    """``bar(stage, done, total)`` redraws one line of ``stream``; ``bar.end()`` ends it."""

    def __init__(self, stream: OutputWrapper, prefix: str = "") -> None:
        self.stream = stream
        self.prefix = prefix
        self.drawn = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = BAR * done // total if total else 0
        percent = 100 * done // total if total else 0
        line = (f"\r{self.prefix}{Job.Stage(stage).label}: [{'#' * filled}{'.' * (BAR - filled)}]"
                f" {done}/{total} {percent:3d}%")
        if line != self.drawn:  # a PDF's 3,000 pages redraw the line only when it changes
            self.drawn = line
            self.stream.write(line, ending="")
            self.stream.flush()

    def end(self) -> None:
        if self.drawn:
            self.stream.write("")
            self.drawn = ""
