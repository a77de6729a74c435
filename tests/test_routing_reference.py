"""The router's lexicon lives with the reference data: built once from every framework held, the
agencies and the deployment's province, and built again after an agency or framework change."""

from __future__ import annotations

from bot.admin_cli import SERVER
from parsing.intents import Holdings, NoData, Score
from parsing.router import route
from services.container import Services


async def test_the_lexicon_is_built_once_and_again_after_an_agency_changes(
    services: Services,
) -> None:
    scores, today = services.scores, services.calendar.today()
    first = await scores.lexicon()
    assert await scores.lexicon() is first
    assert set(first.frameworks) == {"dti-province-2025", "ninh-thuan-2314", "dti-ninh-thuan-2022"}
    assert not isinstance(route("Sở Nội vụ chủ trì chỉ số nào", first, today), NoData)
    await services.agencies.alias(SERVER, "SNV", "Sở NV Khánh Hòa mới")
    second = await scores.lexicon()
    assert second is not first
    found = route("Sở NV Khánh Hòa mới chủ trì chỉ số nào", second, today)
    assert found == Holdings("SNV")


async def test_the_home_province_is_ours_and_another_gets_no_data(services: Services) -> None:
    lexicon, today = await services.scores.lexicon(), services.calendar.today()
    assert lexicon.home_province == "Khánh Hòa"
    assert isinstance(route("tổng điểm DTI Khánh Hòa", lexicon, today), Score)
    assert isinstance(route("tổng điểm DTI Đà Nẵng", lexicon, today), NoData)
