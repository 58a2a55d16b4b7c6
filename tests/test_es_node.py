"""The session's Elasticsearch node is a real one: health, mapping with geo_point, index, search, delete."""

import os
import re
import uuid

import elasticsearch
import pytest
from elasticsearch import Elasticsearch

from tests.es_node import ENV_URL, SCRIPT

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def es(es_url):
    client = Elasticsearch(es_url, request_timeout=30)
    yield client
    client.close()


def test_es_node_health_and_version(es):
    health = es.cluster.health(wait_for_status="yellow", timeout="30s")
    assert health["status"] in ("green", "yellow")
    assert health["number_of_nodes"] == 1

    # The server is the version pinned in scripts/elasticsearch.sh, and its major equals the client's.
    pinned = re.search(r"^ES_VERSION=(\S+)$", SCRIPT.read_text(), re.M).group(1)
    (node,) = es.nodes.info()["nodes"].values()
    if not os.environ.get(ENV_URL):  # our own node, not an external one
        assert node["version"] == pinned
    assert node["version"].split(".")[0] == elasticsearch.__versionstr__.split(".")[0]


def test_es_node_geo_point_index_search_delete(es):
    index = f"vh-test-es-node-{uuid.uuid4().hex[:10]}"
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "title": {"type": "text"},
                "city": {"type": "keyword"},
                "location": {"type": "geo_point"},
            }
        },
    )
    try:
        docs = {
            "montreal": {
                "title": "Banque alimentaire: tri de denrées",
                "city": "Montréal",
                "location": {"lat": 45.5019, "lon": -73.5674},
            },
            "laval": {
                "title": "Food bank sorting shift",
                "city": "Laval",
                "location": {"lat": 45.6066, "lon": -73.7124},
            },
            "paris": {"title": "Banque alimentaire: collecte", "city": "Paris", "location": "48.8566,2.3522"},
        }
        for doc_id, doc in docs.items():
            es.index(index=index, id=doc_id, document=doc)
        es.indices.refresh(index=index)

        near_montreal = {"distance": "50km", "location": {"lat": 45.55, "lon": -73.6}}
        resp = es.search(
            index=index,
            query={
                "bool": {
                    "must": {"match": {"title": "alimentaire"}},
                    "filter": {"geo_distance": near_montreal},
                }
            },
        )
        assert [h["_id"] for h in resp["hits"]["hits"]] == ["montreal"]

        resp = es.search(
            index=index,
            query={"geo_distance": near_montreal},
            sort=[{"_geo_distance": {"location": "45.5,-73.57", "order": "asc", "unit": "km"}}],
        )
        assert [h["_id"] for h in resp["hits"]["hits"]] == ["montreal", "laval"]
        assert resp["hits"]["hits"][0]["sort"][0] < 1.0
        assert es.count(index=index)["count"] == 3
    finally:
        es.indices.delete(index=index)
    assert not es.indices.exists(index=index)
