"""An AsyncAPI 3.0 document generated from the contracts, so the docs cannot drift.

Channels are Keel's topics: each service's request topic with the requests it answers and
the replies they get, the per-caller reply topics, the domain-event topics, and the dead
letters. Every message is an `Envelope` whose `payload` has the contract's JSON schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keel_common.bus.rpc_server import RpcRouter
from keel_common.bus.topics import DEAD_LETTERS, rpc_topic
from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.rpc import RpcReply

REF_PREFIX = "#/components/schemas/"


def _message(contract: type[Contract], schemas: dict[str, Any]) -> dict[str, Any]:
    payload = contract.model_json_schema(ref_template=REF_PREFIX + "{model}")
    schemas.update(payload.pop("$defs", {}))
    schemas[contract.__name__] = payload
    envelope = Envelope.model_json_schema()
    envelope["properties"]["payload"] = {"$ref": REF_PREFIX + contract.__name__}
    envelope["properties"]["type"] = {"const": contract.TYPE}
    envelope["properties"]["version"] = {"const": contract.VERSION}
    return {
        "name": contract.TYPE,
        "title": contract.__name__,
        "summary": (contract.__doc__ or "").strip().split("\n")[0] or None,
        "headers": {
            "type": "object",
            "properties": {
                "keel-type": {"const": contract.TYPE},
                "keel-version": {"const": str(contract.VERSION)},
                "traceparent": {"type": "string"},
            },
        },
        "payload": envelope,
    }


def document(
    routers: Mapping[str, RpcRouter],
    events: Mapping[str, Sequence[type[Contract]]],
    *,
    version: str,
) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    def ref(contract: type[Contract]) -> dict[str, str]:
        key = contract.TYPE.replace(".", "_")
        messages.setdefault(key, _message(contract, schemas))
        return {"$ref": f"#/components/messages/{key}"}

    for service, router in sorted(routers.items()):
        requests = sorted(router.methods(), key=lambda pair: pair[0].TYPE)
        channel = f"rpc_{service}"
        channels[channel] = {
            "address": rpc_topic(service),
            "description": f"Requests the {service} service answers (consumer group "
            f"keel-{service}); the reply goes to the caller's `reply_to` topic.",
            "messages": {r.TYPE.replace(".", "_"): ref(r) for r, _ in requests},
        }
        for request, reply in requests:
            key = request.TYPE.replace(".", "_")
            result = reply.__name__ if reply else "result"
            operations[f"{service}_{request.TYPE.rsplit('.', 1)[-1]}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": [{"$ref": f"#/channels/{channel}/messages/{key}"}],
                "reply": {
                    "channel": {"$ref": "#/channels/rpc_reply"},
                    "description": f"An RpcReply whose `result` is a {result}.",
                },
            }
            if reply is not None:
                ref(reply)
    channels["rpc_reply"] = {
        "address": "keel.reply.{caller}.{instance}",
        "parameters": {"caller": {}, "instance": {}},
        "description": "One topic per caller process; a reply's causation_id is the request id.",
        "messages": {"keel_rpc_reply": ref(RpcReply)},
    }
    for topic, contracts in sorted(events.items()):
        name = topic.replace(".", "_")
        channels[name] = {
            "address": topic,
            "description": "Domain events, published through the transactional outbox.",
            "messages": {c.TYPE.replace(".", "_"): ref(c) for c in contracts},
        }
    channels["dead_letters"] = {
        "address": DEAD_LETTERS,
        "description": "Records no consumer could handle, byte for byte, with keel-dlq-reason, "
        "keel-dlq-source, keel-dlq-consumer and keel-dlq-attempts headers.",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Keel event fabric",
            "version": version,
            "description": "Generated from keel_common contracts; do not edit by hand.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
