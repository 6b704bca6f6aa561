"""The static MSBuild evaluator behind version detection: properties, conditions, imports, items (real files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oqmigrate.msbuild import evaluate, find_upwards, native_path


def _project(folder: Path, body: str, name: str = "Acme.csproj") -> Path:
    path = folder / name
    path.write_text(f'<Project Sdk="Microsoft.NET.Sdk">\n{body}\n</Project>\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "condition, defined",
    [
        ("'$(Flavor)' == 'Blue'", True),
        ("'$(Flavor)' == 'blue'", True),  # MSBuild compares case-insensitively
        ("'$(Flavor)' != 'Blue'", False),
        ("$(Flavor) == Blue", True),
        ("'$(Flavor)' == 'Blue' and 'a' == 'a'", True),
        ("'$(Flavor)' == 'Red' or 'a' == 'a'", True),
        ("'$(Flavor)' == 'Red' and '$(Configuration)' == 'Debug'", False),  # false whatever Configuration is
        ("true", True),
        ("false", False),
    ],
)
def test_conditions_that_can_be_evaluated(tmp_path, condition, defined):
    project = _project(tmp_path, f"""<PropertyGroup><Flavor>Blue</Flavor></PropertyGroup>
<PropertyGroup><Picked Condition="{condition}">yes</Picked></PropertyGroup>""")
    ev = evaluate(project, stop_at=tmp_path)
    assert (ev.value("Picked") == "yes") is defined
    assert ev.skipped == []


@pytest.mark.parametrize(
    "condition",
    ["'$(Configuration)' == 'Debug'", "'$(Flavor)' == 'Blue' and '$(Platform)' == 'x64'",
     "$([System.OperatingSystem]::IsWindows())", "('$(Flavor)' == 'Blue')", "'a' == 'a' and 'b' == 'b' or 'c' == 'd'"],
)
def test_conditions_that_need_a_build_are_skipped_not_guessed(tmp_path, condition):
    project = _project(tmp_path, f"""<PropertyGroup><Flavor>Blue</Flavor></PropertyGroup>
<PropertyGroup><Picked Condition="{condition.replace('"', '&quot;')}">yes</Picked></PropertyGroup>""")
    ev = evaluate(project, stop_at=tmp_path)
    assert ev.value("Picked") is None
    assert [s.what for s in ev.skipped] == ["property Picked"]


def test_default_value_idiom_and_later_definitions_win(tmp_path):
    project = _project(tmp_path, """<PropertyGroup>
  <A Condition="'$(A)' == ''">first</A>
  <A Condition="'$(A)' == ''">second</A>
  <B>one</B>
  <B>$(B)-two</B>
</PropertyGroup>""")
    ev = evaluate(project, stop_at=tmp_path)
    assert (ev.value("a"), ev.value("B")) == ("first", "one-two")
    assert ev.definition("b").file == project


def test_global_properties_win_over_the_files(tmp_path):
    project = _project(tmp_path, "<PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>")
    assert evaluate(project, global_properties={"TargetFramework": "net7.0"}).value("TargetFramework") == "net7.0"


def test_choose_when_otherwise(tmp_path):
    project = _project(tmp_path, """<PropertyGroup><Flavor>Red</Flavor></PropertyGroup>
<Choose>
  <When Condition="'$(Flavor)' == 'Blue'"><PropertyGroup><Picked>blue</Picked></PropertyGroup></When>
  <When Condition="'$(Flavor)' == 'Red'">
    <PropertyGroup><Picked>red</Picked></PropertyGroup>
    <ItemGroup><PackageReference Include="Oqtane.Server" Version="4.0.2" /></ItemGroup>
  </When>
  <Otherwise><PropertyGroup><Picked>other</Picked></PropertyGroup></Otherwise>
</Choose>
<Choose>
  <When Condition="'$(Configuration)' == 'Debug'"><ItemGroup><PackageReference Include="Oqtane.Shared" /></ItemGroup></When>
</Choose>""")
    ev = evaluate(project, stop_at=tmp_path)
    assert ev.value("Picked") == "red"
    assert [(i.include, i.get("version")) for i in ev.items_of("PackageReference")] == [("Oqtane.Server", "4.0.2")]
    assert [s.what for s in ev.skipped] == ["PackageReference Oqtane.Shared"]


def test_items_use_final_property_values_and_child_metadata(tmp_path):
    project = _project(tmp_path, """<ItemGroup>
  <PackageReference Include="Oqtane.Server;Oqtane.Shared"><Version>$(V)</Version></PackageReference>
  <Reference Include="Oqtane.Client" Condition="'$(V)' == '5.0.0'"><HintPath>lib\\Oqtane.Client.dll</HintPath></Reference>
</ItemGroup>
<PropertyGroup><V>5.0.0</V></PropertyGroup>""")
    ev = evaluate(project, stop_at=tmp_path)
    assert [(i.include, i.get("Version"), i.properties) for i in ev.items_of("packagereference")] == [
        ("Oqtane.Server", "5.0.0", ("v",)), ("Oqtane.Shared", "5.0.0", ("v",))]
    assert ev.items_of("Reference")[0].get("hintpath") == "lib\\Oqtane.Client.dll"


def test_directory_files_order_and_import_switch(tmp_path):
    (tmp_path / "Directory.Build.props").write_text("<Project><PropertyGroup><Where>props</Where>"
                                                    "<Early>yes</Early></PropertyGroup></Project>")
    (tmp_path / "Directory.Build.targets").write_text("<Project><PropertyGroup><Where>targets</Where>"
                                                      "</PropertyGroup></Project>")
    sub = tmp_path / "src"
    sub.mkdir()
    project = _project(sub, "<PropertyGroup><Where>project</Where></PropertyGroup>")
    ev = evaluate(project, stop_at=tmp_path)
    assert ev.value("Where") == "targets" and ev.value("Early") == "yes"
    assert [p.name for p in ev.files] == ["Directory.Build.props", "Acme.csproj", "Directory.Build.targets"]
    assert evaluate(project, stop_at=sub).files == [project]  # stop_at bounds the upward search


def test_missing_import_and_bad_xml_are_problems_not_errors(tmp_path):
    (tmp_path / "bad.props").write_text("<Project><PropertyGroup>")
    project = _project(tmp_path, '<Import Project="bad.props" /><Import Project="gone.props" />'
                                 "<PropertyGroup><Still>read</Still></PropertyGroup>")
    ev = evaluate(project, stop_at=tmp_path)
    assert ev.value("Still") == "read" and ev.readable
    assert [(p.name, why.split(" (")[0]) for p, why in ev.problems] == [
        ("bad.props", "is not valid XML"), ("gone.props", "does not exist")]


def test_find_upwards_and_native_path(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "Directory.Build.props").write_text("<Project />")
    assert find_upwards(tmp_path / "a" / "b", "Directory.Build.props") == tmp_path / "Directory.Build.props"
    assert find_upwards(tmp_path / "a" / "b", "Directory.Build.props", stop_at=tmp_path / "a") is None
    assert native_path("..\\x\\y.csproj", tmp_path / "a") == tmp_path / "x" / "y.csproj"
