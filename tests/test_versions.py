"""Oqtane version detection (real .csproj/.props fixtures) and the per-version capability table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oqmigrate.versions import (
    CURRENT,
    TARGET_FRAMEWORKS,
    Feature,
    Version,
    VersionInfo,
    VersionSource,
    detect,
    lowest_admitted,
    missing,
    resolve,
    supports,
)

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "fixtures" / "versions"
SERVER = "Server/Acme.Module.Notes.Server.csproj"


def _detect(case: str, project: str = SERVER) -> VersionInfo:
    return detect(CASES / case / project, stop_at=CASES / case)


# --- Version -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10.2.4", Version(10, 2, 4)),
        ("4.0", Version(4, 0, 0)),
        ("4", Version(4, 0, 0)),
        ("v3.2.1", Version(3, 2, 1)),
        ("V3.2.1", Version(3, 2, 1)),
        ("6.0.0-rc1", Version(6, 0, 0)),
        ("5.1.0+build.7", Version(5, 1, 0)),
        (" 4.0.2.0 ", Version(4, 0, 2)),
    ],
)
def test_version_parse(text, expected):
    assert Version.parse(text) == expected


@pytest.mark.parametrize("text", ["", "four", "4.x", "4.0.2 beta", "[4.0.2]", "$(OqtaneVersion)"])
def test_version_parse_rejects_nonsense(text):
    with pytest.raises(ValueError):
        Version.parse(text)


def test_version_order_str_and_hash():
    assert Version.parse("4.0.2") < Version.parse("4.0.3") < Version.parse("4.1.0") < Version.parse("10.0.0")
    assert Version.parse("9.9.9") < Version.parse("10.0.0")  # numeric, not text order
    assert Version.parse("6.0.0-rc1") == Version(6, 0, 0)  # prerelease compares by its numbers
    assert str(Version.parse("v3.2")) == "3.2.0"
    assert len({Version(4, 0, 2), Version.parse("4.0.2"), Version(4, 0, 3)}) == 2
    assert max([Version(4, 0, 2), Version(10, 0, 0), Version(5, 2, 4)]) == Version(10, 0, 0)
    assert CURRENT == Version(10, 2, 4)


# --- Feature / supports ------------------------------------------------------------------------

# (feature, the release just before it, its first release) — all real Oqtane release tags
BOUNDARIES = [
    (Feature.JOB_METADATA_AND_TENANT_LOOP, "2.0.0", "2.0.1"),
    (Feature.TENANT_MANAGER, "2.0.2", "2.1.0"),
    (Feature.WEEKLY_AND_ONCE_FREQUENCIES, "3.0.1", "3.0.2"),
    (Feature.SETTING_BY_NAME, "3.0.1", "3.0.2"),
    (Feature.AUTO_REGISTER_ANY_HOSTED_SERVICE, "3.2.0", "3.2.1"),
    (Feature.EXECUTE_JOB_ASYNC, "4.0.2", "4.0.3"),
    (Feature.SET_ALIAS, "5.0.0", "5.0.1"),
    (Feature.GET_SETTING_VALUE, "6.1.2", "6.1.3"),
    (Feature.JOB_SETTINGS_IN_MASTER, "6.1.5", "6.2.0"),
    (Feature.TIME_OF_DAY_FROM_PREVIOUS_RUN, "10.0.3", "10.0.4"),
    (Feature.MAXIMUM_DURATION, "10.1.2", "10.2.0"),
]


def test_every_feature_has_a_boundary_test():
    assert {f for f, _, _ in BOUNDARIES} == set(Feature)


@pytest.mark.parametrize("feature, before, first", BOUNDARIES, ids=[f.name for f, _, _ in BOUNDARIES])
def test_supports_at_each_boundary(feature, before, first):
    assert feature.since == Version.parse(first)
    assert not supports(Version.parse(before), feature)
    assert supports(Version.parse(first), feature)
    assert supports(Version(feature.since.major, feature.since.minor, feature.since.patch + 1), feature)
    assert supports(CURRENT, feature)
    assert feature.summary


def test_missing_lists_what_an_upgrade_brings_oldest_first():
    assert missing(CURRENT) == []
    assert missing(Version(4, 0, 2)) == [
        Feature.EXECUTE_JOB_ASYNC, Feature.SET_ALIAS, Feature.GET_SETTING_VALUE, Feature.JOB_SETTINGS_IN_MASTER,
        Feature.TIME_OF_DAY_FROM_PREVIOUS_RUN, Feature.MAXIMUM_DURATION,
    ]
    assert set(missing(Version(1, 0, 4))) == set(Feature)


# --- NuGet version texts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4.0.2", (Version(4, 0, 2), True)),
        ("[4.0.2]", (Version(4, 0, 2), True)),
        ("[4.0.2,5.0)", (Version(4, 0, 2), False)),
        ("[4.0.2, 5.0]", (Version(4, 0, 2), False)),
        ("[4.0.2,)", (Version(4, 0, 2), False)),
        ("(4.0.2,)", (Version(4, 0, 3), False)),
        ("4.*", (Version(4, 0, 0), False)),
        ("4.0.*", (Version(4, 0, 0), False)),
        ("4.0.2-*", (Version(4, 0, 2), False)),
        ("6.0.0-rc1", (Version(6, 0, 0), True)),
    ],
)
def test_lowest_admitted(text, expected):
    assert lowest_admitted(text) == expected


@pytest.mark.parametrize("text", ["(,5.0)", "[,5.0)", "*", "", "[4.0.2", "(4.0.2)", "latest"])
def test_lowest_admitted_says_why_not(text):
    assert isinstance(lowest_admitted(text), str)


# --- detect: one fixture per source --------------------------------------------------------------

# (case, project, version, source, exact, phrases the detail contains)
DETECTIONS = [
    ("package_reference_attribute", SERVER, "4.0.2", VersionSource.PACKAGE_REFERENCE, True,
     ["PackageReference Oqtane.Server 4.0.2 in Acme.Module.Notes.Server.csproj"]),
    ("package_reference_element_crlf_bom", SERVER, "3.4.0", VersionSource.PACKAGE_REFERENCE, True,
     ["PackageReference Oqtane.Shared 3.4.0"]),
    ("package_reference_client_lowercase", "Client/Acme.Module.Notes.Client.csproj", "5.1.2",
     VersionSource.PACKAGE_REFERENCE, True, ["oqtane.client 5.1.2"]),
    ("package_reference_server_wins", SERVER, "5.0.1", VersionSource.PACKAGE_REFERENCE, True,
     ["Oqtane.Server 5.0.1"]),
    ("package_reference_update", SERVER, "4.0.6", VersionSource.PACKAGE_REFERENCE, True,
     ["Oqtane.Server 4.0.6"]),
    ("central_package_management", "src/" + SERVER, "3.4.0", VersionSource.CENTRAL_PACKAGE_MANAGEMENT, True,
     ["PackageVersion Oqtane.Server 3.4.0 in ../../Directory.Packages.props (central package management)"]),
    ("version_override", SERVER, "4.0.2", VersionSource.PACKAGE_REFERENCE, True,
     ["VersionOverride 4.0.2"]),
    ("directory_build_props_property", SERVER, "4.0.2", VersionSource.PACKAGE_REFERENCE, True,
     ["OqtaneVersion = 4.0.2 in ../Directory.Build.props",
      "'$(Configuration)' == 'Release' cannot be evaluated"]),
    ("central_property_default", SERVER, "5.2.4", VersionSource.CENTRAL_PACKAGE_MANAGEMENT, True,
     ["OqtaneVersion = 5.2.4 in ../Directory.Packages.props"]),
    ("project_property_old_style", SERVER, "3.1.0", VersionSource.PACKAGE_REFERENCE, True,
     ["OqtaneVersion = 3.1.0 in Acme.Module.Notes.Server.csproj"]),
    ("imported_props", "modules/Notes/" + SERVER, "6.1.3", VersionSource.PACKAGE_REFERENCE, True,
     ["OqtaneFrameworkVersion = 6.1.3 in ../../../build/oqtane.props"]),
    ("framework_hintpath", "Acme.Module.Notes/" + SERVER, "3.4.3", VersionSource.FRAMEWORK_SOURCE, True,
     ["framework checkout ../../oqtane.framework", "Constants.cs", "HintPath"]),
    ("framework_project_reference", "Acme.Module.Notes/" + SERVER, "2.3.1", VersionSource.FRAMEWORK_SOURCE,
     True, ["framework checkout ../../oqtane.framework", "ProjectReference Oqtane.Server.csproj"]),
    ("framework_project_version", "Acme.Module.Notes/" + SERVER, "4.0.1", VersionSource.FRAMEWORK_SOURCE, True,
     ["<Version>4.0.1</Version> in ../../framework/Oqtane.Server/Oqtane.Server.csproj"]),
    ("assembly_reference", SERVER, "3.2.1", VersionSource.ASSEMBLY_REFERENCE, True,
     ["assembly version 3.2.1", "no Oqtane.Shared/Shared/Constants.cs above HintPath ../lib/Oqtane.Server.dll"]),
    ("through_project_reference", SERVER, "4.0.2", VersionSource.PACKAGE_REFERENCE, True,
     ["Oqtane.Shared 4.0.2 in ../Shared/Acme.Module.Notes.Shared.csproj", "through a ProjectReference"]),
    ("target_frameworks_conditional_references", SERVER, "4.0.6", VersionSource.PACKAGE_REFERENCE, True,
     ["Oqtane.Server 4.0.6"]),
    ("target_frameworks_multi", SERVER, "4.0.0", VersionSource.TARGET_FRAMEWORK, False,
     ["net8.0;net7.0", "oldest net7.0", "Oqtane 4.x, assuming the oldest, 4.0.0"]),
    ("target_framework_in_props", SERVER, "6.0.0", VersionSource.TARGET_FRAMEWORK, False,
     ["net9.0 in ../Directory.Build.props: Oqtane 6.x, assuming the oldest, 6.0.0"]),
    ("property_conditioned_only", SERVER, "4.0.0", VersionSource.TARGET_FRAMEWORK, False,
     ["OqtaneVersion is not defined", "'$(Configuration)' == 'Debug' cannot be evaluated"]),
    ("range_bracket", SERVER, "4.0.2", VersionSource.PACKAGE_REFERENCE, False,
     ["[4.0.2,5.0)", "lowest admitted 4.0.2"]),
    ("range_floating", SERVER, "4.0.0", VersionSource.PACKAGE_REFERENCE, False, ["4.*", "lowest admitted 4.0.0"]),
    ("range_no_lower_bound", SERVER, "5.0.0", VersionSource.TARGET_FRAMEWORK, False,
     ["(,6.0) has no lower bound", "net8.0"]),
    ("nothing", "Lib/Acme.Tools.csproj", "10.2.4", VersionSource.ASSUMED_CURRENT, False,
     ["assuming the current Oqtane 10.2.4", "netstandard2.0", "not one Oqtane targets"]),
    ("nothing_no_framework", "Lib/Acme.Tools.csproj", "10.2.4", VersionSource.ASSUMED_CURRENT, False,
     ["no Oqtane reference or Oqtane TargetFramework in Acme.Tools.csproj"]),
    ("invalid_project_xml", SERVER, "10.2.4", VersionSource.ASSUMED_CURRENT, False,
     ["Acme.Module.Notes.Server.csproj is not valid XML (line 5)"]),
    ("invalid_directory_build_props", SERVER, "5.0.3", VersionSource.PACKAGE_REFERENCE, True,
     ["../Directory.Build.props is not valid XML", "not used"]),
]


@pytest.mark.parametrize("case, project, version, source, exact, phrases", DETECTIONS, ids=[d[0] for d in DETECTIONS])
def test_detect(case, project, version, source, exact, phrases):
    info = _detect(case, project)
    assert (str(info.version), info.source, info.exact) == (version, source, exact), info.detail
    for phrase in phrases:
        assert phrase in info.detail


def test_fixture_styles_are_what_the_cases_claim():
    """The byte-level styles the detection must cope with are really in the fixtures."""
    bom = (CASES / "package_reference_element_crlf_bom" / SERVER).read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and b"\r\n" in bom
    assert b"\\" in (CASES / "framework_hintpath/Acme.Module.Notes" / SERVER).read_bytes()
    assert b"xmlns=" in (CASES / "project_property_old_style" / SERVER).read_bytes()
    assert b"static readonly string Version" in (
        CASES / "framework_hintpath/oqtane.framework/Oqtane.Shared/Shared/Constants.cs").read_bytes()
    assert b"const string Version" in (
        CASES / "framework_project_reference/oqtane.framework/Oqtane.Shared/Shared/Constants.cs").read_bytes()


@pytest.mark.parametrize("tfm", sorted(TARGET_FRAMEWORKS))
def test_detect_target_framework_only(tfm):
    info = detect(CASES / "target_framework" / tfm / "Acme.Module.Notes.Server.csproj",
                  stop_at=CASES / "target_framework" / tfm)
    oldest = TARGET_FRAMEWORKS[tfm]
    assert (info.version, info.source, info.exact) == (oldest, VersionSource.TARGET_FRAMEWORK, False)
    assert info.detail == (f"{tfm} in Acme.Module.Notes.Server.csproj: Oqtane {oldest.major}.x, "
                           f"assuming the oldest, {oldest}")


def test_target_framework_table_is_the_frameworks_own():
    assert {tfm: str(v) for tfm, v in TARGET_FRAMEWORKS.items()} == {
        "netcoreapp3.1": "1.0.0", "net5.0": "2.0.0", "net6.0": "3.0.0", "net7.0": "4.0.0", "net8.0": "5.0.0",
        "net9.0": "6.0.0", "net10.0": "10.0.0",
    }


def test_detect_bundled_solution():
    server = REPO / "fixtures/solutions/Acme.Module.Tasks/Server/Acme.Module.Tasks.Server.csproj"
    info = detect(server, stop_at=server.parent.parent)
    assert info == VersionInfo(Version(10, 2, 4), VersionSource.PACKAGE_REFERENCE,
                               "PackageReference Oqtane.Server 10.2.4 in Acme.Module.Tasks.Server.csproj", True)


def test_stop_at_bounds_the_search_for_directory_packages_props():
    project = CASES / "central_package_management/src" / SERVER
    info = detect(project, stop_at=project.parent)
    assert info.source is VersionSource.TARGET_FRAMEWORK and info.version == Version(3, 0, 0)
    assert "no PackageVersion for it was found" in info.detail


def test_missing_project_file_does_not_raise(tmp_path):
    info = detect(tmp_path / "Gone.csproj", stop_at=tmp_path)
    assert info.source is VersionSource.ASSUMED_CURRENT and info.version == CURRENT
    assert "Gone.csproj cannot be read" in info.detail


def test_project_path_that_is_a_folder_does_not_raise(tmp_path):
    (tmp_path / "Odd.csproj").mkdir()
    assert detect(tmp_path / "Odd.csproj", stop_at=tmp_path).source is VersionSource.ASSUMED_CURRENT


def test_cyclic_imports_end(tmp_path):
    (tmp_path / "a.props").write_text('<Project><Import Project="b.props" /><PropertyGroup>'
                                      "<OqtaneVersion>5.0.2</OqtaneVersion></PropertyGroup></Project>")
    (tmp_path / "b.props").write_text('<Project><Import Project="a.props" /></Project>')
    project = tmp_path / "Acme.csproj"
    project.write_text('<Project Sdk="Microsoft.NET.Sdk"><Import Project="a.props" /><ItemGroup>'
                       '<PackageReference Include="Oqtane.Server" Version="$(OqtaneVersion)" /></ItemGroup></Project>')
    info = detect(project, stop_at=tmp_path)
    assert info.version == Version(5, 0, 2) and "OqtaneVersion = 5.0.2 in a.props" in info.detail


def test_directory_name_of_file_above_import_and_utf16(tmp_path):
    (tmp_path / "versions.props").write_text(
        "<Project><PropertyGroup><OqtaneVersion>3.3.1</OqtaneVersion></PropertyGroup></Project>")
    sub = tmp_path / "src" / "Server"
    sub.mkdir(parents=True)
    project = sub / "Acme.csproj"
    project.write_bytes(
        ('<?xml version="1.0" encoding="utf-16"?>\r\n<Project Sdk="Microsoft.NET.Sdk">\r\n'
         '  <Import Project="$([MSBuild]::GetDirectoryNameOfFileAbove($(MSBuildThisFileDirectory), '
         'versions.props))\\versions.props" />\r\n'
         '  <ItemGroup><PackageReference Include="Oqtane.Server" Version="$(OqtaneVersion)" /></ItemGroup>\r\n'
         "</Project>\r\n").encode("utf-16"))
    info = detect(project, stop_at=tmp_path)
    assert (info.version, info.source) == (Version(3, 3, 1), VersionSource.PACKAGE_REFERENCE)


def test_central_management_switched_off(tmp_path):
    (tmp_path / "Directory.Packages.props").write_text(
        '<Project><ItemGroup><PackageVersion Include="Oqtane.Server" Version="5.0.0" /></ItemGroup></Project>')
    project = tmp_path / "Acme.csproj"
    project.write_text('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework>'
                       "<ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>"
                       '<ItemGroup><PackageReference Include="Oqtane.Server" /></ItemGroup></Project>')
    info = detect(project, stop_at=tmp_path)
    assert info.source is VersionSource.TARGET_FRAMEWORK
    assert "central package management is off" in info.detail


def test_single_target_frameworks_value_still_evaluates_framework_conditions(tmp_path):
    project = tmp_path / "Acme.csproj"
    project.write_text('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFrameworks>net7.0</TargetFrameworks>'
                       "</PropertyGroup><ItemGroup Condition=\"'$(TargetFramework)' == 'net7.0'\">"
                       '<PackageReference Include="Oqtane.Server" Version="4.0.4" /></ItemGroup></Project>')
    info = detect(project, stop_at=tmp_path)
    assert (info.version, info.source, info.detail) == (
        Version(4, 0, 4), VersionSource.PACKAGE_REFERENCE, "PackageReference Oqtane.Server 4.0.4 in Acme.csproj")


def test_target_framework_from_an_undefined_property(tmp_path):
    project = tmp_path / "Acme.csproj"
    project.write_text('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>$(ModuleTfm)'
                       "</TargetFramework></PropertyGroup></Project>")
    info = detect(project, stop_at=tmp_path)
    assert info.source is VersionSource.ASSUMED_CURRENT
    assert "TargetFramework $(ModuleTfm) in Acme.csproj: ModuleTfm is not defined in the files read" in info.detail


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(alphabet='<>/="$()\' \nProjectItemGroupPackageReferenceOqtane.Server4.0.2',
                                        max_size=300).map(str.encode))
def test_detect_never_raises_on_garbage(tmp_path, data):
    project = tmp_path / "Garbage.csproj"
    project.write_bytes(data)
    info = detect(project, stop_at=tmp_path)
    assert isinstance(info, VersionInfo) and info.detail


# --- resolve ---------------------------------------------------------------------------------------


def test_resolve_without_override_keeps_the_detection():
    detected = _detect("package_reference_attribute")
    assert resolve(detected, None) is detected
    assert resolve(detected, "  ") is detected


def test_resolve_override_wins():
    detected = _detect("package_reference_attribute")
    info = resolve(detected, "v3.4.3")
    assert (info.version, info.source, info.exact) == (Version(3, 4, 3), VersionSource.OVERRIDE, True)
    assert info.detail == "3.4.3 from --oqtane-version, instead of 4.0.2 (package-reference)"
    from_config = resolve(detected, "5.0.1", origin="oqtane-version in oqmigrate.toml")
    assert from_config.detail == "5.0.1 from oqtane-version in oqmigrate.toml, instead of 4.0.2 (package-reference)"


def test_resolve_rejects_a_bad_override():
    with pytest.raises(ValueError):
        resolve(_detect("package_reference_attribute"), "latest")


def test_to_json():
    assert _detect("range_floating").to_json() == {
        "version": "4.0.0", "source": "package-reference", "exact": False,
        "detail": "PackageReference Oqtane.Server 4.* in Acme.Module.Notes.Server.csproj: lowest admitted 4.0.0",
    }
