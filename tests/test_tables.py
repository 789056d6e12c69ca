"""cnnbook.tables: the one table formatter (a real table on the page, aligned text elsewhere)."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from wcwidth import wcswidth

from cnnbook.errors import CnnbookError
from cnnbook.tables import Table, show, show_table


def test_text_form_aligns_chinese_by_display_width():
    table = Table(["模型", "参数"], [["vgg11", "132,863,336"], ["中文模型", "22"]])
    lines = str(table).splitlines()
    assert lines[1].replace(" ", "").strip("-") == ""  # the rule under the headers
    assert len({wcswidth(line) for line in lines}) == 1  # every line as wide: columns line up
    assert lines[3].endswith(" 22")  # numbers right-aligned by default (every column but the first)
    assert repr(table) == str(table)  # the notebook's text/plain output is the aligned text


def test_cells_are_shown_as_given():
    table = Table(["x", "y"], [["0.150", "1e3"], [1, None]])
    assert "0.150" in str(table) and "1e3" in str(table) and "None" in str(table)


def test_markdown_form_is_a_real_table_that_keeps_its_text():
    table = Table(["name", "a|b", "n"], [["regnet_x_400mf", "x*y", "1,000"], ["合计", "<4", "2"]],
                  right=[False, False, True])
    tokens = MarkdownIt("commonmark").enable("table").parse(table._repr_markdown_())
    kinds = [token.type for token in tokens]
    assert "table_open" in kinds and kinds.count("tr_open") == 3
    cells = [token.content.replace("\\", "") for token in tokens if token.type == "inline"]
    assert cells == ["name", "a|b", "n", "regnet_x_400mf", "x*y", "1,000", "合计", "<4", "2"]
    rendered = MarkdownIt("commonmark").enable("table").render(table._repr_markdown_())
    assert "regnet_x_400mf" in rendered and "a|b" in rendered and "x*y" in rendered  # escapes undone
    assert 'style="text-align:right"' in rendered and 'style="text-align:left"' in rendered


def test_bad_rows_and_alignment_say_what_is_wrong():
    with pytest.raises(CnnbookError, match="rows"):
        Table(["a", "b"], [["only one"]])
    with pytest.raises(CnnbookError, match="right"):
        Table(["a", "b"], [["1", "2"]], right=[True])


def test_show_prints_the_text_outside_a_notebook(capsys):
    show_table(["a", "b"], [["x", "1"]])
    show(Table(["c"], [["y"]]))
    assert capsys.readouterr().out.split() == ["a", "b", "---", "---", "x", "1", "c", "---", "y"]
