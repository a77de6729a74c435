"""Reference data for the router's tests and benchmark: the repository's bundled data/ folder,
and a small fixture with an old agency and a second province's frameworks."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from parsing.lexicon import Lexicon, build_lexicon
from scoring.loading import parse_directory, parse_framework
from scoring.model import Agency, Directory, Framework, Pillar, Rule, RuleKind, SubIndex
from scoring.yaml_reader import safe_load

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def bundled() -> tuple[tuple[Framework, ...], Directory, str]:
    """Every framework and the agencies of data/, and the deployment's province."""
    agencies = sorted((DATA / "agencies").glob("*.yaml"))
    text = agencies[0].read_text(encoding="utf-8")
    directory = parse_directory(text, agencies[0].name)
    province = str(safe_load(text).get("province", ""))
    frameworks = tuple(
        parse_framework(path.read_text(encoding="utf-8"), path.name, directory)
        for path in sorted((DATA / "frameworks").glob("*.yaml"))
    )
    return frameworks, directory, province


@cache
def bundled_lexicon() -> Lexicon:
    frameworks, directory, province = bundled()
    return build_lexicon(frameworks, directory, province)


def _sub(code: str, name: str, points: str = "10", lead: tuple[str, ...] = ()) -> SubIndex:
    return SubIndex(code, name, Decimal(points), Rule(RuleKind.ASSESSED), "%", lead)


def _pillar(code: str, name: str, english: str, subs: tuple[SubIndex, ...]) -> Pillar:
    total = sum((s.max_points for s in subs), Decimal(0))
    return Pillar(code, name, english, total, (), subs)


def targets_framework() -> Framework:
    """A small plan-targets framework in the shape of Ninh Thuận's Quyết định 2314 (seeds/003,
    section II.3.1): sections as pillars, targets as sub-indices."""
    government = (
        _sub("1.1", "Dịch vụ công trực tuyến mức độ 4 được cung cấp trên nhiều phương tiện"),
        _sub("1.2", "Hồ sơ công việc tại cấp tỉnh được xử lý trên môi trường mạng"),
        _sub("1.3", "Tỷ lệ hài lòng của người dân đối với Chính quyền số"),
    )
    economy = (
        _sub("2.1", "Kinh tế số chiếm tỷ trọng trong GRDP"),
        _sub("2.2", "Sản phẩm OCOP được tiêu thụ trên các sàn thương mại điện tử"),
    )
    society = (
        _sub("3.1", "Hạ tầng mạng băng rộng cáp quang phủ hộ gia đình"),
        _sub("3.2", "Tỷ lệ dân số có tài khoản thanh toán điện tử"),
    )
    return Framework(
        code="ninh-thuan-2314",
        name="Đề án chuyển đổi số tỉnh Ninh Thuận giai đoạn 2021-2025",
        year=2025,
        kind="targets",
        source="Quyết định 2314/QĐ-UBND ngày 15/12/2021",
        total_max=Decimal(70),
        target_total=None,
        pillars=(
            _pillar("1", "Phát triển chính quyền số", "Digital government", government),
            _pillar("2", "Phát triển kinh tế số", "Digital economy", economy),
            _pillar("3", "Phát triển xã hội số", "Digital society", society),
        ),
        aliases=("Quyết định 2314", "đề án 2314", "đề án chuyển đổi số Ninh Thuận"),
        province="Ninh Thuận",
    )


def ninh_thuan_dti() -> Framework:
    """Ninh Thuận's DTI 2022 (seeds/004 section II.5): pillars only matter here."""
    pillars = tuple(
        Pillar(p.code, p.name, p.name_en, p.max_points, p.aliases, p.sub_indices)
        for p in bundled()[0][0].pillars
    )
    return Framework(
        code="dti-ninh-thuan-2022",
        name="Chỉ số DTI tỉnh Ninh Thuận năm 2022",
        year=2022,
        kind="dti",
        source="Báo cáo 6 tháng đầu năm 2023, tỉnh Ninh Thuận",
        total_max=Decimal(1000),
        target_total=None,
        pillars=pillars,
        province="Ninh Thuận",
    )


def directory_with_old_agencies() -> Directory:
    """The bundled agencies and two departments merged away in the 2025 reorganisation."""
    directory = bundled()[1]
    old = (
        Agency(
            "STTTT",
            "Sở Thông tin và Truyền thông",
            "department",
            ("Sở TT&TT", "Sở TTTT", "STTTT"),
            successor="SKHCN",
        ),
        Agency(
            "SKHDT",
            "Sở Kế hoạch và Đầu tư",
            "department",
            ("Sở KH&ĐT", "Sở KHĐT", "SKHĐT"),
            successor="STC",
        ),
        Agency("SGTVT", "Sở Giao thông vận tải", "department", ("Sở GTVT",), successor="SXD"),
        Agency(
            "STNMT", "Sở Tài nguyên và Môi trường", "department", ("Sở TN&MT",), successor="SNNMT"
        ),
    )
    return Directory((*directory.agencies, *old), directory.groups)


@cache
def fixture_lexicon() -> Lexicon:
    """The bundled DTI framework, Ninh Thuận's two frameworks and the old agencies."""
    frameworks, _, province = bundled()
    dti = next(f for f in frameworks if f.code == "dti-province-2025")
    return build_lexicon(
        (dti, targets_framework(), ninh_thuan_dti()), directory_with_old_agencies(), province
    )
