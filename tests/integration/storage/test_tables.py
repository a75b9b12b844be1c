"""OrgTable / SharedTable against Azurite: isolation, concurrency, paging, batches, partition deletion."""

from __future__ import annotations

import pytest

from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    InvalidArgumentError,
    InvalidContinuationTokenError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)

from .test_tenant_and_keys import MALICIOUS_KEYS


def members(clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> OrgTable:
    return OrgTable(clients, tenant, TableName.MEMBERS, tokens=tokens)


def fill(table: OrgTable, count: int, prefix: str = "row") -> set[str]:
    keys = {f"{prefix}-{index:05d}" for index in range(count)}
    assert table.upsert_many((key, {"n": 1}) for key in sorted(keys)) == count
    return keys


def page_through(table: OrgTable, page_size: int, **query: str) -> tuple[list[str], int]:
    keys: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = table.list_page(page_size=page_size, continuation_token=token, **query)
        keys += [entity.row_key for entity in page.items]
        pages += 1
        if page.continuation_token is None:
            return keys, pages
        token = page.continuation_token


def test_crud_round_trip(clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner) -> None:
    table = members(clients, org_a, tokens)
    etag = table.insert("m1", {"first_name": "Ada", "logins": 2**40, "admin": True})
    entity = table.get("m1")
    assert entity.properties == {"first_name": "Ada", "logins": 2**40, "admin": True}
    assert entity.etag == etag
    assert entity.timestamp is not None
    with pytest.raises(AlreadyExistsError):
        table.insert("m1", {"first_name": "Eve"})
    table.upsert("m1", {"last_name": "Lovelace"}, merge=True)
    assert table.get("m1").properties["last_name"] == "Lovelace"
    table.delete("m1")
    table.delete("m1")  # idempotent
    with pytest.raises(NotFoundError):
        table.get("m1")


def test_stale_etag_raises_concurrency_error(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    first = table.insert("m1", {"role": "user"})
    second = table.update("m1", {"role": "admin"}, etag=first)
    with pytest.raises(ConcurrencyError):
        table.update("m1", {"role": "super_admin"}, etag=first)
    with pytest.raises(ConcurrencyError):
        table.delete("m1", etag=first)
    assert table.get("m1").properties["role"] == "admin"
    table.delete("m1", etag=second)
    with pytest.raises(NotFoundError):
        table.update("m1", {"role": "user"}, etag=second)


def test_an_organisation_never_sees_another_organisations_rows(
    clients: StorageClients, org_a: TenantContext, org_b: TenantContext, tokens: PageTokenSigner
) -> None:
    table_a, table_b = members(clients, org_a, tokens), members(clients, org_b, tokens)
    fill(table_a, 10)
    table_b.upsert("only-b", {"n": 2})
    assert [entity.row_key for entity in table_b.query()] == ["only-b"]
    assert table_b.list_page().items[0].row_key == "only-b"
    with pytest.raises(NotFoundError):
        table_b.get("row-00001")
    table_b.delete("row-00001")  # addresses B's partition only
    assert table_a.get("row-00001").properties == {"n": 1}


def test_quotes_in_keys_cannot_escape_the_partition_filter(
    clients: StorageClients, org_a: TenantContext, org_b: TenantContext, tokens: PageTokenSigner
) -> None:
    table_a, table_b = members(clients, org_a, tokens), members(clients, org_b, tokens)
    table_b.upsert("secret", {"n": 1})
    injection = f"' or PartitionKey eq '{org_b.org_id}' or RowKey eq '"
    assert list(table_a.query(prefix=injection)) == []
    assert list(table_a.query(start="'", end="~' or '1' eq '1")) == []
    table_a.upsert("o'brien", {"n": 1})
    assert table_a.get("o'brien").row_key == "o'brien"
    assert [entity.row_key for entity in table_a.query(prefix="o'")] == ["o'brien"]


@pytest.mark.parametrize("key", MALICIOUS_KEYS)
def test_malicious_keys_never_reach_the_service(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner, key: str
) -> None:
    table = members(clients, org_a, tokens)
    for attempt in (
        lambda: table.upsert(key, {"n": 1}),
        lambda: table.get(key),
        lambda: table.delete(key),
        lambda: table.upsert_many([(key, {"n": 1})]),
    ):
        with pytest.raises(InvalidArgumentError):
            attempt()
    if key:
        with pytest.raises(InvalidArgumentError):
            list(table.query(prefix=key))


def test_reserved_property_names_are_rejected(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    for properties in ({"PartitionKey": "x"}, {"RowKey": "x"}, {"odata.etag": "x"}):
        with pytest.raises(InvalidArgumentError):
            table.upsert("m1", properties)


def test_partition_suffix_stays_inside_the_organisation(
    clients: StorageClients, org_a: TenantContext, org_b: TenantContext, tokens: PageTokenSigner
) -> None:
    january = OrgTable(clients, org_a, TableName.AUDIT, tokens=tokens, partition_suffix="202501")
    february = OrgTable(clients, org_a, TableName.AUDIT, tokens=tokens, partition_suffix="202502")
    assert january.partition_key == f"{org_a.org_id}|202501"
    january.upsert("e1", {"action": "login"})
    assert list(february.query()) == []
    for suffix in ("", "x|" + org_b.org_id, "../x", "a/b", "x" * 65):
        with pytest.raises(InvalidArgumentError):
            OrgTable(clients, org_a, TableName.AUDIT, tokens=tokens, partition_suffix=suffix)


def test_table_kinds_cannot_be_mixed_up(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    with pytest.raises(InvalidArgumentError):
        OrgTable(clients, org_a, TableName.IDENTITIES, tokens=tokens)
    with pytest.raises(InvalidArgumentError):
        SharedTable(clients, TableName.MEMBERS, tokens=tokens)
    # A partition of its own: the real "org" partition holds other tests' organisations.
    organisations = SharedTable(clients, TableName.ORGANISATIONS, tokens=tokens).partition(
        f"test-{org_a.org_id}"
    )
    organisations.upsert(org_a.org_id, {"name": "Northwind"})
    assert organisations.get(org_a.org_id).properties == {"name": "Northwind"}


def test_paging_over_1000_rows_returns_every_row_exactly_once(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    keys = fill(table, 2_345)
    paged, pages = page_through(table, page_size=1000)
    assert len(paged) == len(keys) and set(paged) == keys
    assert pages == 3
    small, small_pages = page_through(table, page_size=300, prefix="row-01")
    assert small == sorted(key for key in keys if key.startswith("row-01"))
    assert small_pages == 4
    streamed = [entity.row_key for entity in table.query()]
    assert streamed == sorted(keys)  # the iterator follows the service's continuations itself


def test_range_query_is_half_open(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    fill(table, 20)
    keys = [entity.row_key for entity in table.query(start="row-00005", end="row-00008")]
    assert keys == ["row-00005", "row-00006", "row-00007"]
    with pytest.raises(InvalidArgumentError):
        list(table.query(prefix="row", start="row-00005"))


def test_prefix_whose_upper_bound_is_not_a_legal_key(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    table.upsert_many([("raw.1", {}), ("raw.2", {}), ("raw0", {}), ("raw-", {})])
    # The bound after "raw." is "raw/", which no key may hold; it still works as a filter value.
    assert [entity.row_key for entity in table.query(prefix="raw.")] == ["raw.1", "raw.2"]


def test_a_continuation_token_only_works_for_the_partition_it_was_issued_for(
    clients: StorageClients, org_a: TenantContext, org_b: TenantContext, tokens: PageTokenSigner
) -> None:
    table_a, table_b = members(clients, org_a, tokens), members(clients, org_b, tokens)
    fill(table_a, 25)
    fill(table_b, 25)
    token = table_a.list_page(page_size=10).continuation_token
    assert token is not None
    assert len(table_a.list_page(page_size=10, continuation_token=token).items) == 10
    with pytest.raises(InvalidContinuationTokenError):
        table_b.list_page(page_size=10, continuation_token=token)
    with pytest.raises(InvalidContinuationTokenError):
        OrgTable(clients, org_a, TableName.SESSIONS, tokens=tokens).list_page(continuation_token=token)
    with pytest.raises(InvalidContinuationTokenError):
        members(clients, org_a, PageTokenSigner(b"another key of at least 32 bytes")).list_page(
            continuation_token=token
        )
    payload, mac = token.split(".")
    for tampered in (
        payload[:-2] + "xx." + mac,
        payload + "." + mac[:-2] + "AA",
        "garbage",
        "a.b.c",
        "x" * 9000,
    ):
        with pytest.raises(InvalidContinuationTokenError):
            table_a.list_page(page_size=10, continuation_token=tampered)


def test_batches_over_100_entities_are_chunked(
    clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner
) -> None:
    table = members(clients, org_a, tokens)
    rows = [(f"k{index:04d}", {"n": index}) for index in range(250)]
    rows += [("k0001", {"n": -1})]  # a repeated key within a chunk: last write wins
    assert table.upsert_many(rows) == 251
    assert len(list(table.query())) == 250
    assert table.get("k0001").properties == {"n": -1}
    # Deleting a set that includes already-missing rows is idempotent.
    assert table.delete_many([f"k{index:04d}" for index in range(0, 300, 2)]) == 150
    assert [entity.properties["n"] for entity in table.query()] == [-1, *range(3, 250, 2)]


def test_delete_partition_leaves_other_partitions_intact(
    clients: StorageClients, org_a: TenantContext, org_b: TenantContext, tokens: PageTokenSigner
) -> None:
    table_a, table_b = members(clients, org_a, tokens), members(clients, org_b, tokens)
    fill(table_a, 1_234)
    keys_b = fill(table_b, 42)
    assert table_a.delete_partition() == 1_234
    assert list(table_a.query()) == []
    assert {entity.row_key for entity in table_b.query()} == keys_b
    assert table_a.delete_partition() == 0


def test_page_size_is_bounded(clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner) -> None:
    table = members(clients, org_a, tokens)
    for size in (0, 1001):
        with pytest.raises(InvalidArgumentError):
            table.list_page(page_size=size)


def test_short_token_keys_are_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        PageTokenSigner(b"too short")
