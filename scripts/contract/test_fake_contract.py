"""Contract test: the fake Authentik must speak what real Authentik 2026.8.5 speaks.

Drives `lookout fake-authentik` ONLY through the official generated client
(`authentik-client==2026.8.5`): every response must deserialise into the official pydantic
models, and the values must match the documented `Scenario::standard` figures
(`src/fake/scenario.rs`, `STANDARD`).

Binary: env `LOOKOUT_BIN` (default `target/debug/lookout`).
"""

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import authentik_client
import pytest
from authentik_client import AdminApi, CoreApi, EventsApi, PoliciesApi
from authentik_client.exceptions import ApiException, BadRequestException, ForbiddenException, NotFoundException
from authentik_client.models import (
    AuthenticatedSession,
    Event,
    EventActions,
    PaginatedAuthenticatedSessionList,
    PaginatedEventList,
    PaginatedGroupList,
    PaginatedUserList,
    SessionUser,
    Version,
)

TOKEN = "contract-test-token-5f2a9c"
BIN = os.environ.get("LOOKOUT_BIN", "target/debug/lookout")

# Mirrors `STANDARD` in src/fake/scenario.rs.
USERS_TOTAL = 12
USERS_ACTIVE = 10
USERS_SERVICE_ACCOUNT = 1
GROUPS_TOTAL = 4
SESSIONS_TOTAL = 7
SESSIONS_DISTINCT_USERS = 5
LOGINS = 30 + 10
FAILED = 15 + 5
FAILED_24H = 15
OTHER = 11 + 3
EVENTS_TOTAL = 74
BURST_IP = "198.51.100.23"
BURST_FAILURES = 8
ALICE_EVENTS = 11
ALICE_FAILED = 4


def start_fake(*extra):
    proc = subprocess.Popen(
        [BIN, "fake-authentik", "--listen", "127.0.0.1:0", "--token", TOKEN, "--scenario", "standard", *extra],
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on "), f"unexpected first line: {line!r}"
    return proc, line[len("listening on ") :]


def stop_fake(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def client(base_url, token=TOKEN):
    cfg = authentik_client.Configuration(host=f"{base_url}/api/v3", access_token=token)
    return authentik_client.ApiClient(cfg)


@pytest.fixture(scope="module")
def fake():
    proc, base = start_fake()
    yield base
    stop_fake(proc)


@pytest.fixture(scope="module")
def api(fake):
    with client(fake) as c:
        yield c


def test_version_deserialises_and_reports_2026_8_5(api):
    v = AdminApi(api).admin_version_retrieve()
    assert isinstance(v, Version)
    assert v.version_current == "2026.8.5"
    assert v.outdated is False


def test_users_me_is_the_token_service_account(api):
    me = CoreApi(api).core_users_me_retrieve()
    assert isinstance(me, SessionUser)
    assert me.user.username == "lookout-svc"
    assert me.user.type.value == "service_account"
    assert me.user.is_superuser is False
    assert [u.username for u in me.users] == ["lookout-svc"]
    assert any(g.name == "security-auditors" for g in me.user.groups)


def test_users_list_counts_and_filters(api):
    core = CoreApi(api)
    page = core.core_users_list(page_size=1, include_groups=False)
    assert isinstance(page, PaginatedUserList)
    assert page.pagination.count == USERS_TOTAL
    assert page.pagination.next == 2
    assert page.results[0].groups_obj is None
    assert core.core_users_list(page_size=1, is_active=True).pagination.count == USERS_ACTIVE
    assert core.core_users_list(type=["service_account"]).pagination.count == USERS_SERVICE_ACCOUNT
    alice = core.core_users_list(username="alice", include_groups=True).results
    assert len(alice) == 1 and alice[0].email == "alice@example.com"
    assert {g.name for g in alice[0].groups_obj} == {"security-auditors", "engineering"}


def test_users_default_page_size_is_20_and_clamped_to_100(api):
    core = CoreApi(api)
    full = core.core_users_list()
    assert len(full.results) == USERS_TOTAL and full.pagination.total_pages == 1
    page2 = core.core_users_list(page=2, page_size=5)
    assert (page2.pagination.previous, page2.pagination.next, page2.pagination.start_index) == (1, 3, 6)


def test_groups_list_with_and_without_users(api):
    core = CoreApi(api)
    groups = core.core_groups_list(include_users=True)
    assert isinstance(groups, PaginatedGroupList)
    assert groups.pagination.count == GROUPS_TOTAL
    eng = next(g for g in groups.results if g.name == "engineering")
    assert len(eng.users) == 4 and {u.username for u in eng.users_obj} >= {"alice", "bob"}
    assert all(g.users_obj is None for g in core.core_groups_list(include_users=False).results)


def test_authenticated_sessions_parse_with_official_models(api):
    sessions = CoreApi(api).core_authenticated_sessions_list()
    assert isinstance(sessions, PaginatedAuthenticatedSessionList)
    assert sessions.pagination.count == SESSIONS_TOTAL
    assert len({s.user for s in sessions.results}) == SESSIONS_DISTINCT_USERS
    assert all(isinstance(s, AuthenticatedSession) and s.current is False for s in sessions.results)
    assert any(s.geo_ip is None for s in sessions.results), "private IPs have no geo"
    assert any(":" in s.last_ip for s in sessions.results), "an IPv6 session"


def all_events(events_api, **kw):
    out, page = [], 1
    while True:
        resp = events_api.events_events_list(page=page, page_size=100, **kw)
        assert isinstance(resp, PaginatedEventList)
        out.extend(resp.results)
        if resp.pagination.next == 0:
            return out, resp
        page = resp.pagination.next


def test_events_unfiltered_count_and_newest_first(api):
    ev = EventsApi(api)
    page = ev.events_events_list(page_size=100)
    assert page.pagination.count == EVENTS_TOTAL
    created = [e.created for e in page.results]
    assert created == sorted(created, reverse=True)
    assert page.autocomplete, "2026 servers send a non-empty autocomplete for events"
    asc = ev.events_events_list(ordering="created", page_size=100)
    assert [e.created for e in asc.results] == sorted(created)


def test_actions_is_exact_but_action_is_substring(api):
    ev = EventsApi(api)
    exact = ev.events_events_list(actions=[EventActions.LOGIN], page_size=1).pagination.count
    failed = ev.events_events_list(actions=[EventActions.LOGIN_FAILED], page_size=1).pagination.count
    both = ev.events_events_list(actions=[EventActions.LOGIN, EventActions.LOGIN_FAILED], page_size=1)
    substring = ev.events_events_list(action="login", page_size=1).pagination.count
    assert (exact, failed) == (LOGINS, FAILED)
    assert both.pagination.count == LOGINS + FAILED
    assert substring == LOGINS + FAILED, "action=login also matches login_failed"
    assert ev.events_events_list(action="LOGIN_F", page_size=1).pagination.count == FAILED
    others = ev.events_events_list(actions=[EventActions.LOGOUT, EventActions.MODEL_UPDATED], page_size=100)
    assert {e.action.value for e in others.results} == {"logout", "model_updated"}


def test_failed_login_shapes_match_api_md_section_4(api):
    failed, _ = all_events(EventsApi(api), actions=[EventActions.LOGIN_FAILED])
    assert len(failed) == FAILED
    for e in failed:
        assert isinstance(e, Event)
        assert e.client_ip
        assert e.brand["name"] == "Default brand"
        assert e.context["username"]
        if e.context["stage"]["model_name"] == "passwordstage":
            assert e.context["password"] == "*" * 20
    unknown = [e for e in failed if e.context["username"] == "root"]
    assert unknown and all(e.user["authenticated_as"]["username"] == "AnonymousUser" for e in unknown)
    assert all(e.user["pk"] is None and e.user["username"] == "root" for e in unknown)
    known = [e for e in failed if e.context["username"] == "alice"]
    assert known and all(e.user == {"username": "alice", "pk": 4, "email": "alice@example.com"} for e in known)
    burst = [e for e in failed if e.client_ip == BURST_IP]
    assert len(burst) == BURST_FAILURES
    assert burst[0].context["geo"]["country"] == "NL" and burst[0].context["asn"]["asn"] == 64500
    assert max(e.created for e in burst) - min(e.created for e in burst) < timedelta(minutes=4)
    now = datetime.now(timezone.utc)
    assert sum(1 for e in failed if now - e.created < timedelta(hours=24)) == FAILED_24H


def test_username_and_client_ip_filters(api):
    ev = EventsApi(api)
    alice, _ = all_events(ev, username="alice")
    assert len(alice) == ALICE_EVENTS
    assert ev.events_events_list(username="alice", actions=[EventActions.LOGIN_FAILED]).pagination.count == ALICE_FAILED
    by_ip = ev.events_events_list(client_ip=BURST_IP, page_size=100)
    assert by_ip.pagination.count == BURST_FAILURES
    assert {e.context["username"] for e in by_ip.results} == {"admin", "root", "alice"}
    assert ev.events_events_list(client_ip="198.51.100.2").pagination.count == 0


def test_pagination_walk_next_previous_and_last(api):
    ev = EventsApi(api)
    events, last = all_events(ev)
    assert len(events) == EVENTS_TOTAL and len({e.pk for e in events}) == EVENTS_TOTAL
    p = ev.events_events_list(page=2, page_size=30).pagination
    assert (p.previous, p.current, p.next, p.total_pages, p.start_index, p.end_index) == (1, 2, 3, 3, 31, 60)
    p3 = ev.events_events_list(page=3, page_size=30).pagination
    assert (p3.next, p3.end_index) == (0, EVENTS_TOTAL)
    clamped = ev.events_events_list(page_size=1000)
    assert len(clamped.results) == 74 and clamped.pagination.total_pages == 1


def test_empty_result_reports_one_page_with_zero_indexes(api):
    p = EventsApi(api).events_events_list(username="nobody-at-all").pagination
    assert (p.count, p.total_pages, p.current, p.start_index, p.end_index, p.next, p.previous) == (0, 1, 1, 0, 0, 0, 0)


def test_page_past_the_end_is_404_invalid_page(api):
    with pytest.raises(NotFoundException) as exc:
        EventsApi(api).events_events_list(page=99, page_size=100)
    assert exc.value.status == 404
    assert "Invalid page." in exc.value.body


def test_unknown_actions_value_is_400_validation_error(api):
    # The client's enum refuses "foo", so send the raw query through its own transport.
    params = api.param_serialize(
        method="GET", resource_path="/events/events/", query_params=[("actions", "foo")], auth_settings=["authentik"]
    )
    resp = api.call_api(*params)
    resp.read()
    with pytest.raises(BadRequestException) as exc:
        api.response_deserialize(resp, {"200": "PaginatedEventList", "400": "ValidationError"})
    assert "Select a valid choice. foo is not one of the available choices." in exc.value.body


def test_wrong_token_raises_forbidden_with_detail(fake):
    with client(fake, token="not-the-token") as bad:
        with pytest.raises(ForbiddenException) as exc:
            CoreApi(bad).core_users_me_retrieve()
    assert exc.value.status == 403
    assert "Token invalid/expired" in exc.value.body


def test_missing_token_raises_forbidden_not_provided(fake):
    cfg = authentik_client.Configuration(host=f"{fake}/api/v3")
    with authentik_client.ApiClient(cfg) as anon:
        with pytest.raises(ForbiddenException) as exc:
            AdminApi(anon).admin_version_retrieve()
    assert "Authentication credentials were not provided." in exc.value.body


def test_volume_and_reputation_parse(api):
    volume = EventsApi(api).events_events_volume_list(actions=[EventActions.LOGIN_FAILED], history_days=7)
    assert sum(v.count for v in volume) == FAILED
    rep = PoliciesApi(api).policies_reputation_scores_list(ip=BURST_IP)
    assert {r.identifier for r in rep.results} == {"admin", "root", "alice"}
    assert all(r.score < 0 for r in rep.results)


def test_sub_path_variant_serves_the_same_api():
    proc, base = start_fake("--sub-path", "/authentik")
    try:
        assert base.endswith("/authentik")
        with client(base) as c:
            assert AdminApi(c).admin_version_retrieve().version_current == "2026.8.5"
            assert CoreApi(c).core_users_me_retrieve().user.username == "lookout-svc"
            ev = EventsApi(c).events_events_list(actions=[EventActions.LOGIN_FAILED], page_size=5)
            assert ev.pagination.count == FAILED and ev.pagination.next == 2
        # Without the sub-path nothing is served.
        root = base[: -len("/authentik")]
        with client(root) as c:
            with pytest.raises(ApiException) as exc:
                AdminApi(c).admin_version_retrieve()
            assert exc.value.status == 404
    finally:
        stop_fake(proc)
