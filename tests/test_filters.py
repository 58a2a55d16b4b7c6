"""The surfaces generated from the search parameter registry (``search_app.filters``) treat every
declared parameter alike: ``volunteer-hub search`` reaches the API's query, the search page shows a
removable chip for an active filter, a new search from the form keeps what the form does not show,
and the widget builder passes its parameters on to the widget.

Values come from each parameter's OpenAPI schema, so a filter added to the registry is covered here
without touching this file (unless its free-text value needs a real-world example below).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient

from search_app.filters import FORM_HANDLED, PARAMETERS, SearchParameter, cli_pairs, query_from_args
from tests.helpers import page
from volunteer_hub.cli.main import build_parser

# Free-text values that must name something real; the rest come from the schemas.
EXAMPLES = {
    "q": "plage",
    "near": "Rennes",
    "region": "bretagne",
    "organization": "Les Amis du Littoral",
    "partner": "amis-littoral",
    "date_from": "2030-01-01",
    "date_to": "2030-12-31",
    "country": "US",
}
# meaningless alone: a radius around nothing; a country without a place (London, OH, not London, GB)
COMPANIONS = {"radius_km": [("near", "Rennes")], "country": [("near", "London")]}


def example(parameter: SearchParameter) -> str:
    if parameter.name in EXAMPLES:
        return EXAMPLES[parameter.name]
    assert parameter.schema is not None
    schema = parameter.schema.get("items", parameter.schema)
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("enum"):
            values = option["enum"]
            return str(values[1] if len(values) > 1 else values[0])  # not the default, when there is one
    return {"boolean": "true", "number": "30", "integer": "2"}.get(schema.get("type", ""), "plage")


def _ids(parameters: list[SearchParameter]) -> list[str]:
    return [p.name for p in parameters]


CLI = [p for p in PARAMETERS if p.cli is not None]


@pytest.mark.parametrize("parameter", CLI, ids=_ids(CLI))
def test_each_cli_option_gives_the_query_of_the_api_parameter(parameter: SearchParameter) -> None:
    assert parameter.cli is not None
    value = example(parameter)
    companions = COMPANIONS.get(parameter.name, [])
    argv = ["search"]
    for name, companion in companions:
        argv += [f"--{name}", companion]
    if parameter.cli.kind == "words":
        argv.append(value)
    elif parameter.cli.kind == "switch":
        argv.append(parameter.cli.flag)
    else:
        argv += [parameter.cli.flag, value]
    from_cli = query_from_args(cli_pairs(vars(build_parser().parse_args(argv))))
    assert from_cli == query_from_args([*companions, (parameter.name, value)])
    assert from_cli != query_from_args(companions), "the option changed nothing"


SITE_FILTERS = [p for p in PARAMETERS if p.api and p.chips is not None]


@pytest.mark.parametrize("parameter", SITE_FILTERS, ids=_ids(SITE_FILTERS))
def test_each_active_filter_has_a_chip_that_removes_it(
    client: FlaskClient, parameter: SearchParameter
) -> None:
    html = page(client, "/?" + urlencode({parameter.name: example(parameter)}))
    chips = re.findall(r'<a class="chip" href="([^"]*)"', html)
    assert len(chips) == 1, chips
    assert parameter.name not in unescape(chips[0])
    assert 'class="chip"' not in page(client, unescape(chips[0]))


CARRIED = [p for p in PARAMETERS if p.api and p.name not in FORM_HANDLED]


@pytest.mark.parametrize("parameter", CARRIED, ids=_ids(CARRIED))
def test_the_form_keeps_what_it_does_not_show(client: FlaskClient, parameter: SearchParameter) -> None:
    value = example(parameter)
    html = page(client, "/?" + urlencode({"q": "x", parameter.name: value}))
    assert f'<input type="hidden" name="{parameter.name}" value="{value}">' in html


WIDGET = [p for p in PARAMETERS if p.widget and p.api]


@pytest.mark.parametrize("parameter", WIDGET, ids=_ids(WIDGET))
def test_the_widget_builder_passes_its_parameters_on(client: FlaskClient, parameter: SearchParameter) -> None:
    value = example(parameter)
    html = unescape(page(client, "/widget/builder?" + urlencode({parameter.name: value})))
    src = re.search(r'<iframe src="([^"]*)"', html)
    assert src and f"{parameter.name}={quote(value).replace('%20', '+')}" in src.group(1)
