"""A site generator's tag naming a file (18F's ``{% download "downloads/x.pdf" %}``,
``{{ site.baseurl }}/assets/x.pdf``): a link to the copied file on the handbook page
when the repo holds it; when it does not, kb check says so (the page shows the words)."""

from __future__ import annotations

from tests.helpers import KbRepo, run_kb

BODY = (
    'Fill in [the form]({% download "downloads/form.pdf" %}), read\n'
    "[the guide]({{ site.baseurl }}/assets/guide.pdf) and [the old one]"
    '({% download "downloads/gone.docx" %}).\n'
)


def test_download_tags_link_the_copied_file_or_are_reported(kb_repo: KbRepo) -> None:
    kb_repo.write("travel/concur.md", "---\ntitle: Concur\n---\n" + BODY)
    (kb_repo.path / "downloads").mkdir()
    (kb_repo.path / "downloads/form.pdf").write_bytes(b"%PDF-1.4 form")
    (kb_repo.path / "assets").mkdir()
    (kb_repo.path / "assets/guide.pdf").write_bytes(b"%PDF-1.4 guide")
    kb_repo.commit("a card and its downloads")
    site = kb_repo.path.parent / "site"
    built = run_kb("--kb", str(kb_repo.path), "build", "--out", str(site), "--no-search")
    assert built.exit_code == 0, built.output
    html = (site / "travel/concur.html").read_text(encoding="utf-8")
    assert '<a href="../downloads/form.pdf" rel="noopener noreferrer">the form</a>' in html
    assert '<a href="../assets/guide.pdf" rel="noopener noreferrer">the guide</a>' in html
    assert (site / "downloads/form.pdf").read_bytes() == b"%PDF-1.4 form"
    assert (site / "assets/guide.pdf").read_bytes() == b"%PDF-1.4 guide"
    assert "the old one</a>" not in html and " the old one." in html  # its words, plain
    assert "gone.docx" not in html

    checked = run_kb("--kb", str(kb_repo.path), "check")
    broken = [line for line in checked.stdout.splitlines() if "broken-link" in line]
    assert len(broken) == 1, checked.output
    assert "downloads/gone.docx, which is not in the repo" in broken[0]
    assert "add the file at that path" in broken[0]
