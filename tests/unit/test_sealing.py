"""Sealing whole events: the store's and the consumers' path through PayloadSealer and the Kafka codec."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from libs.events.kafka_codec import (
    MessageDecodeError,
    decode_event,
    encode_recorded,
    read_envelope,
    sealed_items,
)
from libs.events.keyring import KeyRing
from libs.events.personal_data import KeyUnavailable
from libs.events.schemas import registry
from libs.events.schemas.clients import (
    ClientErased,
    ClientRegistered,
    ErasureBasis,
    PersonIdentity,
    UnemploymentStatus,
    UnemploymentStatusChanged,
)
from libs.events.schemas.common import Address, InstitutionKind
from libs.events.sealing import PayloadSealer
from tests.support.recorded import recorded


class MemoryKeys:
    """A KeySource in memory that counts its calls."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}
        self.calls = 0

    async def fetch(self, subjects: Collection[str], *, create: bool) -> dict[str, bytes | None]:
        self.calls += 1
        if create:
            for s in subjects:
                self.keys.setdefault(s, AESGCM.generate_key(256))
        return {s: self.keys[s] for s in subjects if s in self.keys}


def registered(client: uuid.UUID, last_name: str) -> ClientRegistered:
    return ClientRegistered(
        client_id=client, institution_id="PUP-2473", institution_kind=InstitutionKind.PUP,
        identity=PersonIdentity(pesel="44051401359", first_name="Jan", last_name=last_name,
                                birth_date=date(1944, 5, 14)),
        address=Address(gmina="Siemianowice Śląskie", postal_code="41-100", city="Siemianowice Śląskie"),
        registered_on=date(2026, 11, 2))


async def messages(sealer: PayloadSealer, *payloads: object) -> list[tuple[list[tuple[str, bytes]], bytes]]:
    """Kafka messages whose values are the sealed JSON, as the relay sends what the store wrote."""
    sealed = await sealer.seal(list(payloads))  # type: ignore[arg-type]
    out = []
    for payload, value in zip(payloads, sealed, strict=True):
        message = encode_recorded(recorded(payload), registry, topic="pzw.clients.v1", source="/pzw/clients")  # type: ignore[arg-type]
        out.append((message.headers, value))
    return out


async def test_consumers_open_a_batch_with_one_key_look_up_and_erasure_wins() -> None:
    source = MemoryKeys()
    writer = PayloadSealer(registry, KeyRing(source))
    a, b = uuid.uuid4(), uuid.uuid4()
    status = UnemploymentStatusChanged(client_id=a, institution_id="PUP-2473", status=UnemploymentStatus.REGISTERED,
                                       effective_on=date(2026, 11, 2))
    batch = await messages(writer, registered(a, "Nowakowska"), registered(b, "Kowalska"), status)
    assert b"Nowakowska" not in batch[0][1]
    assert b"PUP-2473" in batch[0][1]  # only the marked fields are sealed

    reader_source = MemoryKeys()
    reader_source.keys = dict(source.keys)
    reader = PayloadSealer(registry, KeyRing(reader_source))
    await reader.prepare(sealed_items(batch))
    assert reader_source.calls == 1
    events = [decode_event(read_envelope(h), v, registry, reader) for h, v in batch]
    assert events[0].payload == registered(a, "Nowakowska")
    assert events[0].erased == ()
    assert events[2].payload == status
    with pytest.raises(MessageDecodeError):  # sealed values do not decode without a sealer
        decode_event(read_envelope(batch[0][0]), batch[0][1], registry)

    # The same messages again, now followed by a's erasure: a's fields are gone, b's are not.
    erased = await messages(writer, ClientErased(client_id=a, legal_basis=ErasureBasis.DATA_SUBJECT_REQUEST,
                                                 erased_on=date(2026, 11, 20)))
    replay = batch + erased
    await reader.prepare(sealed_items(replay))
    again = [decode_event(read_envelope(h), v, registry, reader) for h, v in replay]
    assert again[0].erased == ("identity", "address", "contact")
    assert again[0].payload.identity is None  # type: ignore[attr-defined]
    assert again[0].payload.institution_id == "PUP-2473"  # type: ignore[attr-defined]
    assert again[1].payload == registered(b, "Kowalska")


async def test_nothing_personal_is_written_for_an_erased_client() -> None:
    source = MemoryKeys()
    client = uuid.uuid4()
    source.keys[str(client)] = None  # erased: a tombstone
    with pytest.raises(KeyUnavailable, match=str(client)):
        await PayloadSealer(registry, KeyRing(source)).seal([registered(client, "Nowak")])
