"""The build's process pool: every result in job order, whichever process did the job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kbcli.usecases.handbook_workers import PER_WORKER, run_jobs


def _where(job: int) -> tuple[int, int]:
    return job, os.getpid()


def test_the_main_process_renders_a_share_itself_and_results_keep_their_order(
    tmp_path: Path,
) -> None:
    """With nothing else to do meanwhile, this process takes the first half of the jobs
    and forks one worker for the rest (a worker fewer to copy memory into)."""
    jobs = list(range(2 * PER_WORKER + 37))
    init: tuple[Any, ...] = (None, [], tmp_path)
    done = run_jobs(_where, jobs, 2, init)
    assert [job for job, _ in done] == jobs
    assert len({pid for _, pid in done}) == 2
    assert [job for job, pid in done if pid == os.getpid()] == jobs[: len(jobs) // 2]
    called: list[int] = []
    done = run_jobs(_where, jobs, 2, init, meanwhile=lambda: called.append(1))
    assert [job for job, _ in done] == jobs and called == [1]
    assert os.getpid() not in {pid for _, pid in done}  # busy meanwhile: workers do them all
