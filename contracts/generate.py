"""Write the published artefacts from the models: one JSON Schema per event type and
an AsyncAPI 3.0 document of every channel. `make contracts` runs this; a test fails
when the committed files differ from what the models produce."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from contracts.catalogue import EMITTERS, Emitter
from contracts.envelope import CloudEvent, EventData, subject_filter

CONTRACTS_DIR = Path(__file__).resolve().parent
SCHEMAS_DIR = CONTRACTS_DIR / "schemas"
ASYNCAPI_FILE = CONTRACTS_DIR / "asyncapi.yaml"


def event_schema(model: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of a whole CloudEvent carrying `model` as its data."""
    schema = CloudEvent[model].model_json_schema(ref_template="#/$defs/{model}")  # type: ignore[valid-type]
    schema["$id"] = model.schema_uri()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = model.event_type()
    schema["description"] = model.summary
    return schema


@functools.cache
def all_schemas() -> dict[str, dict[str, Any]]:
    return {m.event_type(): event_schema(m) for em in EMITTERS for m in em.events}


def _message_id(model: type[EventData]) -> str:
    return model.event_name().replace(".", "_")


def asyncapi_document(
    *,
    title: str = "Linli events",
    sends: Iterable[type[EventData]] | None = None,
    receives: Iterable[type[EventData]] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """AsyncAPI 3.0: one channel per event (`linli.{community}.<entity>.<verb>`).

    With no arguments it describes the whole catalogue from a subscriber's point of
    view (Linli sends everything). A service passes what it sends and receives.
    """
    send_models = list(sends) if sends is not None else [m for em in EMITTERS for m in em.events]
    receive_models = list(receives)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for action, models in (("send", send_models), ("receive", receive_models)):
        for model in models:
            key = _message_id(model)
            schemas[key] = {"$ref": f"schemas/{model.event_type()}.json"}
            messages[key] = {
                "name": model.event_type(),
                "title": model.event_name(),
                "summary": model.summary,
                "contentType": "application/cloudevents+json",
                "headers": {
                    "type": "object",
                    "properties": {
                        "Nats-Msg-Id": {"type": "string", "description": "The CloudEvent id."},
                        "traceparent": {"type": "string", "description": "W3C trace context."},
                    },
                },
                "payload": {"$ref": f"#/components/schemas/{key}"},
            }
            channels[key] = {
                "address": subject_filter(model.event_name(), "{community}"),
                "parameters": {"community": {"description": "Community slug, e.g. meihu; * in a filter."}},
                "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            }
            operations[f"{action}_{key}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{key}"},
                "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": description
            or "CloudEvents 1.0 (structured JSON) on NATS JetStream. Subscribe to linli.*.issue.> for every community.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"nats": {"host": "localhost:4222", "protocol": "nats", "description": "NATS with JetStream"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def service_asyncapi(emitter: Emitter, receives: Iterable[type[EventData]]) -> dict[str, Any]:
    """A service's own document, with the schemas inlined so /asyncapi.json stands alone."""
    doc = asyncapi_document(title=f"Linli {emitter.service}", sends=emitter.events, receives=receives)
    schemas = all_schemas()
    for key, ref in doc["components"]["schemas"].items():
        event_type = ref["$ref"].removeprefix("schemas/").removesuffix(".json")
        doc["components"]["schemas"][key] = schemas[event_type]
    return doc


def _dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def rendered() -> dict[Path, str]:
    """Every artefact path with the text it must hold."""
    files = {SCHEMAS_DIR / f"{t}.json": _dump_json(s) for t, s in all_schemas().items()}
    files[ASYNCAPI_FILE] = yaml.safe_dump(asyncapi_document(), allow_unicode=True, sort_keys=False)
    return files


def main() -> int:
    SCHEMAS_DIR.mkdir(exist_ok=True)
    files = rendered()
    for stale in set(SCHEMAS_DIR.glob("*.json")) - set(files):
        stale.unlink()
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files under {CONTRACTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
