"""JSON Schemas of the W3C Entity Reconciliation API's documents, for test_reconcile.py.

Written for these tests from the specifications' required fields and types: version 0.2
(https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/) and the
1.0 draft (https://reconciliation-api.github.io/specs/1.0-draft/), whose published schemas live
in github.com/reconciliation-api/specs under 0.2/schemas/ and 1.0-draft/schemas/. Where the
1.0 draft's text asks more than its schema (a candidate's `match` and `type` are "required"),
these follow the text. Our own error document (not in the spec) is here too.
"""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
NON_EMPTY = {"type": "string", "minLength": 1}
TYPE_REF = {  # a type given by id (and name), or by its id alone
    "oneOf": [
        {"type": "object", "properties": {"id": NON_EMPTY, "name": STRING}, "required": ["id"]},
        NON_EMPTY,
    ]
}
TYPE_OBJECT = {"type": "object", "properties": {"id": NON_EMPTY, "name": STRING}, "required": ["id", "name"]}
LANG = {"type": "string", "pattern": "^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$"}


def _service(flyout: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "service_url": {"type": "string", "pattern": "^https?://"},
        "service_path": STRING,
    }
    if flyout:
        properties["flyout_service_path"] = {"type": "string", "pattern": r"\$\{id\}"}
    return {"type": "object", "properties": properties, "required": ["service_url", "service_path"]}


MANIFEST_0_2 = {
    "type": "object",
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
    "properties": {
        "versions": {"type": "array", "items": STRING, "contains": {"const": "0.2"}},
        "name": NON_EMPTY,
        "identifierSpace": {"type": "string", "pattern": "^https?://"},
        "schemaSpace": {"type": "string", "pattern": "^https?://"},
        "documentation": STRING,
        "serviceVersion": STRING,
        "logo": STRING,
        "batchSize": {"type": "integer", "minimum": 1},
        "view": {
            "type": "object",
            "properties": {"url": {"type": "string", "pattern": r"\{\{id\}\}"}},
            "required": ["url"],
        },
        "defaultTypes": {"type": "array", "items": TYPE_OBJECT, "uniqueItems": True},
        "preview": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "pattern": r"\{\{id\}\}"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
            },
            "required": ["url", "width", "height"],
        },
        "suggest": {
            "type": "object",
            "properties": {"entity": _service(flyout=True), "type": _service(), "property": _service()},
        },
        "extend": {
            "type": "object",
            "properties": {"propose_properties": _service(), "property_settings": {"type": "array"}},
        },
    },
}

MANIFEST_1_0 = {
    "type": "object",
    "required": ["versions", "name", "view"],
    "properties": {
        "versions": {"type": "array", "items": STRING, "contains": {"const": "1.0-draft"}},
        "name": NON_EMPTY,
        "serviceVersion": STRING,
        "batchSize": {"type": "integer", "minimum": 1},
        "lang": LANG,
        "view": {
            "type": "object",
            "properties": {"url": {"type": "string", "pattern": r"\{[^}]*id[^}]*\}"}},
            "required": ["url"],
        },
        "defaultTypes": {"type": "array", "items": TYPE_OBJECT, "uniqueItems": True},
        "preview": {
            "type": "object",
            "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}},
            "required": ["width", "height"],
        },
        "suggest": {
            "type": "object",
            "properties": {
                "entity": {"type": "boolean"},
                "property": {"type": "boolean"},
                "type": {"type": "boolean"},
            },
            "required": ["entity", "property", "type"],
        },
        "extend": {
            "type": "object",
            "properties": {"proposeProperties": {"type": "boolean"}, "propertySettings": {"type": "array"}},
        },
        "standardizedScore": {"type": "boolean"},
    },
}

FEATURE = {
    "type": "object",
    "properties": {"id": NON_EMPTY, "name": NON_EMPTY, "value": {"type": ["boolean", "number"]}},
    "required": ["id", "value"],
}

CANDIDATE_0_2 = {
    "type": "object",
    "required": ["id", "name", "score"],
    "properties": {
        "id": NON_EMPTY,
        "name": STRING,
        "description": STRING,
        "score": {"type": "number"},
        "match": {"type": "boolean"},
        "type": {"type": "array", "items": TYPE_REF},
        "features": {"type": "array", "items": FEATURE},
        "wikidata": {"type": "string", "pattern": "^Q[1-9][0-9]*$"},
    },
}

RESULT_BATCH_0_2 = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {"result": {"type": "array", "items": CANDIDATE_0_2}},
        "required": ["result"],
    },
}

CANDIDATE_1_0 = {
    "type": "object",
    "required": ["id", "name", "type", "match"],
    "properties": {
        **CANDIDATE_0_2["properties"],
        "score": {"type": "number", "minimum": 0, "maximum": 100},  # standardizedScore: true
        "features": {"type": "array", "items": {**FEATURE, "required": ["id", "name", "value"]}},
        "lang": LANG,
    },
}

RESULT_BATCH_1_0 = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"candidates": {"type": "array", "items": CANDIDATE_1_0}},
                "required": ["candidates"],
            },
        }
    },
}


def _suggest(item_extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": NON_EMPTY, "name": NON_EMPTY, "description": STRING, **item_extra},
                },
            }
        },
    }


SUGGEST_ENTITIES = _suggest({"notable": {"type": "array", "items": TYPE_REF}, "image": STRING})
SUGGEST_TYPES = _suggest({"broader": {"type": "array", "items": TYPE_REF}})
SUGGEST_PROPERTIES = _suggest({})

FLYOUT = {  # OpenRefine's flyout (0.2 suggest metadata): an entity's HTML summary
    "type": "object",
    "required": ["id", "html"],
    "properties": {"id": NON_EMPTY, "html": STRING},
}

PROPERTY_PROPOSAL = {
    "type": "object",
    "required": ["type", "properties"],
    "properties": {
        "type": NON_EMPTY,
        "limit": {"type": "integer"},
        "properties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": NON_EMPTY, "name": STRING},
                "required": ["id", "name"],
            },
        },
    },
}

_DATE = (  # ISO 8601 date and time, as the spec's data extension values need
    r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
)


def _cell_value(with_lang: bool) -> dict[str, Any]:
    text: dict[str, Any] = {"str": STRING}
    if with_lang:
        text["lang"] = LANG
    return {
        "oneOf": [
            {"type": "object", "additionalProperties": False},
            {
                "type": "object",
                "properties": {"id": NON_EMPTY, "name": STRING, "description": STRING},
                "required": ["id", "name"],
                "additionalProperties": False,
            },
            {"type": "object", "properties": text, "required": ["str"], "additionalProperties": False},
            {
                "type": "object",
                "properties": {"float": {"type": "number"}},
                "required": ["float"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"int": {"type": "integer"}},
                "required": ["int"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"date": {"type": "string", "pattern": _DATE}},
                "required": ["date"],
                "additionalProperties": False,
            },
        ]
    }


_META = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"id": NON_EMPTY, "name": STRING, "type": {"type": "object", "required": ["id"]}},
        "required": ["id", "name"],
    },
}

EXTENSION_0_2 = {
    "type": "object",
    "required": ["meta", "rows"],
    "properties": {
        "meta": _META,
        "rows": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": _cell_value(with_lang=False)},
            },
        },
    },
}

EXTENSION_1_0 = {
    "type": "object",
    "required": ["meta", "rows"],
    "properties": {
        "meta": _META,
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "properties"],
                "properties": {
                    "id": NON_EMPTY,
                    "properties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "values"],
                            "properties": {
                                "id": NON_EMPTY,
                                "values": {"type": "array", "items": _cell_value(with_lang=True)},
                            },
                        },
                    },
                },
            },
        },
    },
}

ERROR = {  # ours: every refusal says what is wrong and, where it can, where
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": NON_EMPTY, "message": NON_EMPTY, "where": NON_EMPTY},
    "additionalProperties": False,
}
