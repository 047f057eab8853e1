"""The History import section of docs/benchmarks.md: replaced in place, and kept when `make bench` rewrites."""

from __future__ import annotations

from pathlib import Path

from vafa_dev.bench.history_import import carry_over, replace_section

SECTION = "## History import\n\nnew figures\n"


def test_the_section_is_replaced_where_it_is_or_added_at_the_end() -> None:
    document = "# Benchmarks\n\n## 1. Round trips\n\nx\n\n## History import\n\nold figures\n\n## Notes\n\ny\n"
    replaced = replace_section(document, SECTION)
    assert (
        replaced
        == "# Benchmarks\n\n## 1. Round trips\n\nx\n\n## History import\n\nnew figures\n\n## Notes\n\ny\n"
    )
    assert replace_section("# Benchmarks\n\n## Notes\n", SECTION) == "# Benchmarks\n\n## Notes\n\n" + SECTION


def test_make_bench_keeps_the_section_the_file_had(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\nold run\n\n" + SECTION, encoding="utf-8")
    rewritten = carry_over(path, "# Benchmarks\n\nnew run\n")
    assert rewritten == "# Benchmarks\n\nnew run\n\n" + SECTION
    assert carry_over(tmp_path / "missing.md", "# Benchmarks\n") == "# Benchmarks\n"
