"""How the dashboard reads: chart headings, whole-number count axes, dates and numbers in
the viewer's language, charts pointing to their tables, a response-time table that fits."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from sla import charts
from tests.factories import ManagerFactory
from tests.sla.test_reports import QUERY, dashboard_get, history  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

Y_TICK = re.compile(
    rf'<text x="{charts.LEFT - 6}" y="[\d.]+" text-anchor="end" class="tick">([^<]*)<'
)


def y_ticks(svg: str) -> list[str]:
    return Y_TICK.findall(svg)


@pytest.mark.parametrize("highest", [1, 2, 3, 5, 7, 9, 13, 23, 99, 101, 1234])
def test_count_axes_have_whole_number_ticks_that_reach_the_highest_bar(highest):
    svg = charts.bar_chart("Breaches", ["a", "b"], [("Breaches", [highest, 0])], y_label="n")
    ticks = [int(tick.replace(",", "")) for tick in y_ticks(svg)]
    assert ticks[0] == 0 and ticks[-1] >= highest
    assert 2 <= len(ticks) <= 7
    assert len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1  # even steps


def test_seven_breaches_never_show_a_fractional_tick():
    svg = charts.bar_chart("Breaches", ["a"], [("Breaches", [7])], y_label="breaches")
    assert all("." not in tick for tick in y_ticks(svg))
    assert "7.5" not in svg and "3.5" not in svg


def test_chart_numbers_are_written_in_the_viewers_language():
    with translation.override("pt-br"):
        svg = charts.bar_chart("Média", ["a"], [("Média", [2.5])], y_label="horas")
    assert "Média · a: 2,5" in svg
    assert "2.5" not in svg


def test_a_chart_says_where_its_table_is():
    svg = charts.bar_chart(
        "Breaches per week", ["a"], [("B", [1])], y_label="n", summary="See below."
    )
    assert 'aria-label="Breaches per week. See below."' in svg


@pytest.fixture
def page_in(client, history):  # noqa: F811 (the fixture above)
    def get(language: str) -> str:
        manager = ManagerFactory(language=language)
        response = dashboard_get(client, manager, "/sla/dashboard/" + QUERY)
        assert response.status_code == 200
        return response.content.decode()

    yield get
    translation.deactivate()  # the signed-in manager's language stays active otherwise


def test_charts_have_headings_and_link_to_their_tables(page_in):
    html = page_in("en")
    for key, title in [
        ("breaches_week", "Breaches per week"),
        ("opened_solved", "Tickets opened and solved per week"),
        ("distribution", "First-response time in business hours, as a share of the target"),
    ]:
        assert f'<h3 id="chart-{key}">{title}</h3>' in html, key
        assert f'aria-labelledby="chart-{key}"' in html
        assert f'href="#table-{key}"' in html and f'id="table-{key}"' in html


@pytest.mark.parametrize(
    ("language", "monday", "not_shown"),
    [("en", "2 Mar", "03-02"), ("pt-br", "2 mar", "03-02")],
)
def test_week_labels_are_dates_in_the_viewers_language(page_in, language, monday, not_shown):
    html = page_in(language)
    chart = html[html.index('<h3 id="chart-breaches_week">') :]
    chart = chart[: chart.index("</svg>")]
    assert f">{monday}</text>" in chart
    assert not_shown not in chart


def test_response_times_table_groups_short_headings_under_the_measure(page_in):
    html = page_in("en")
    table = html[html.index('id="table-response_times"') :]
    table = table[: table.index("</thead>")]
    assert 'scope="colgroup" colspan="3" class="group">First response (business time)<' in table
    assert 'scope="colgroup" colspan="3" class="group">Resolution (calendar time)<' in table
    assert 'aria-label="90th percentile first response (business time)"' in table
    assert ">90th pct.</th>" in table


def test_per_engineer_table_shows_names_not_addresses(page_in):
    html = page_in("en")
    table = html[html.index('id="table-engineers"') :]
    table = table[: table.index("</table>")]
    assert "Alice Almeida" in table and "Bob Barros" in table
    assert "@" not in table


def test_wide_tables_scroll_inside_a_labelled_region(page_in):
    html = page_in("pt-br")
    regions = re.findall(
        r'<div class="table-scroll" role="region" tabindex="0" aria-label="[^"]+"', html
    )
    assert len(regions) >= 10
