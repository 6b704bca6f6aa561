import json
import os
import shutil
import sys

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import make_repo
from oqmigrate.workspace import ProjectScope, UsageError, discover

WORKSPACE = FIXTURES / "workspace"
SIBLING = WORKSPACE / "sibling"
OUTSIDE = "outside the scanned folder (the framework or another repository); scan it on its own if it is yours"

SDK = '<Project Sdk="Microsoft.NET.Sdk.Razor">{}</Project>'
CLASS = "namespace Acme;\npublic class C { }\n"


def make(root, files):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def rels(ws):
    return [f.rel for f in ws.files]


def projects_of(ws):
    return {f.rel: (f.project.name if f.project else None) for f in ws.files}


def roles(ws):
    return {p.name: p.role for p in ws.projects}


def module(root):
    """A typical Oqtane module: Server, Client and Shared projects, each in its own folder."""
    make(
        root,
        {
            "Server/Acme.Module.Tasks.Server.csproj": SDK.format(""),
            "Server/Jobs/TaskJob.cs": CLASS,
            "Server/Startup.cs": CLASS,
            "Client/Acme.Module.Tasks.Client.csproj": SDK.format(""),
            "Client/Index.razor.cs": CLASS,
            "Shared/Acme.Module.Tasks.Shared.csproj": SDK.format(""),
            "Shared/Models/TaskItem.cs": CLASS,
            "Tools/Script.cs": CLASS,
        },
    )


def test_sln_with_backslash_paths_and_a_missing_project(tmp_path):
    module(tmp_path)
    (tmp_path / "Acme.Module.Tasks.sln").write_text(
        "\ufeff\r\nMicrosoft Visual Studio Solution File, Format Version 12.00\r\n"
        'Project("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Acme.Module.Tasks.Server", '
        '"Server\\Acme.Module.Tasks.Server.csproj", "{11111111-1111-1111-1111-111111111111}"\r\nEndProject\r\n'
        'Project("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Acme.Module.Tasks.Client", '
        '"Client\\Acme.Module.Tasks.Client.csproj", "{22222222-2222-2222-2222-222222222222}"\r\nEndProject\r\n'
        'Project("{2150E333-8FDC-42A3-9474-1A3956D46DE8}") = "Solution Items", "Solution Items", '
        '"{33333333-3333-3333-3333-333333333333}"\r\nEndProject\r\n'
        'Project("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Gone", '
        '"Gone\\Gone.csproj", "{44444444-4444-4444-4444-444444444444}"\r\nEndProject\r\n',
        encoding="utf-8",
    )
    ws = discover([tmp_path / "Acme.Module.Tasks.sln"])
    assert ws.root == tmp_path
    assert projects_of(ws) == {
        "Client/Index.razor.cs": "Acme.Module.Tasks.Client",
        "Server/Jobs/TaskJob.cs": "Acme.Module.Tasks.Server",
        "Server/Startup.cs": "Acme.Module.Tasks.Server",
    }
    assert ws.errors == [("Gone/Gone.csproj", "project not found (listed in Acme.Module.Tasks.sln)")]
    assert roles(ws) == {"Acme.Module.Tasks.Server": "server", "Acme.Module.Tasks.Client": "client"}
    assert all(f.path.is_absolute() and f.path.is_file() for f in ws.files)


def test_slnx_with_nested_folders(tmp_path):
    module(tmp_path)
    (tmp_path / "Acme.slnx").write_text(
        "<Solution>\n"
        '  <Folder Name="/src/">\n'
        '    <Folder Name="/src/backend/"><Project Path="Server/Acme.Module.Tasks.Server.csproj" /></Folder>\n'
        '    <Project Path="Shared\\Acme.Module.Tasks.Shared.csproj" />\n'
        '    <File Path="README.md" />\n'
        "  </Folder>\n"
        "</Solution>\n"
    )
    ws = discover([str(tmp_path / "Acme.slnx")])
    assert rels(ws) == ["Server/Jobs/TaskJob.cs", "Server/Startup.cs", "Shared/Models/TaskItem.cs"]
    assert roles(ws) == {"Acme.Module.Tasks.Server": "server", "Acme.Module.Tasks.Shared": "shared"}
    assert ws.errors == []


def test_folder_maps_files_to_nearest_project_and_leaves_loose_files_alone(tmp_path):
    module(tmp_path)
    ws = discover([tmp_path])
    assert projects_of(ws) == {
        "Client/Index.razor.cs": "Acme.Module.Tasks.Client",
        "Server/Jobs/TaskJob.cs": "Acme.Module.Tasks.Server",
        "Server/Startup.cs": "Acme.Module.Tasks.Server",
        "Shared/Models/TaskItem.cs": "Acme.Module.Tasks.Shared",
        "Tools/Script.cs": None,
    }
    assert len(ws.projects) == 3


def test_role_by_name_assembly_name_and_folder(tmp_path):
    make(
        tmp_path,
        {
            "a/X.Server.Oqtane.csproj": SDK.format(""),
            "b/acme.client.csproj": SDK.format(""),
            "c/Backend.csproj": SDK.format("<PropertyGroup><AssemblyName>Acme.Tasks.Server</AssemblyName></PropertyGroup>"),
            "Shared/Models/Models.csproj": SDK.format(""),
            "Client/Widgets.csproj": SDK.format(""),
            "d/Serverless.csproj": SDK.format(""),
            "e/Acme.Shared.Client.csproj": SDK.format(""),
        },
    )
    ws = discover([tmp_path])
    assert roles(ws) == {
        "X.Server.Oqtane": "server",
        "acme.client": "client",
        "Backend": "server",
        "Models": "shared",
        "Widgets": "client",
        "Serverless": "unknown",
        "Acme.Shared.Client": "client",
    }
    assert {p.name: p.assembly_name for p in ws.projects}["Backend"] == "Acme.Tasks.Server"


def test_folder_role_stops_at_the_root(tmp_path):
    server = tmp_path / "Server"
    make(server, {"Tool/Tool.csproj": SDK.format(""), "Tool/A.cs": CLASS})
    assert roles(discover([server / "Tool"])) == {"Tool": "unknown"}
    assert roles(discover([server])) == {"Tool": "unknown"}
    assert roles(discover([tmp_path])) == {"Tool": "server"}


def test_linked_compile_include_and_compile_remove_glob(tmp_path):
    make(
        tmp_path,
        {
            "Server/Acme.Server.csproj": SDK.format(
                "<ItemGroup>"
                '<Compile Include="..\\Common\\Linked.cs" />'
                '<Compile Remove="Legacy\\**" />'
                '<Compile Remove="**\\*.Old.cs" />'
                "</ItemGroup>"
            ),
            "Server/Worker.cs": CLASS,
            "Server/Legacy/OldWorker.cs": CLASS,
            "Server/Legacy/Deep/Older.cs": CLASS,
            "Server/Jobs/Job.Old.cs": CLASS,
            "Server/Jobs/Job.cs": CLASS,
            "Common/Linked.cs": CLASS,
            "Common/NotLinked.cs": CLASS,
        },
    )
    ws = discover([tmp_path / "Server" / "Acme.Server.csproj"])
    assert ws.root == tmp_path / "Server"
    assert projects_of(ws) == {
        "../Common/Linked.cs": "Acme.Server",
        "Jobs/Job.cs": "Acme.Server",
        "Worker.cs": "Acme.Server",
    }
    assert [why for _, why in ws.skipped] == ["excluded by Compile Remove in Acme.Server.csproj"] * 3
    assert [rel for rel, _ in ws.skipped] == ["Jobs/Job.Old.cs", "Legacy/Deep/Older.cs", "Legacy/OldWorker.cs"]

    # From the folder, the linked file lies in no project folder, so the include gives it its project.
    whole = projects_of(discover([tmp_path]))
    assert whole["Common/Linked.cs"] == "Acme.Server"
    assert whole["Common/NotLinked.cs"] is None
    assert "Server/Legacy/OldWorker.cs" not in whole


def test_linked_file_keeps_the_project_whose_folder_holds_it(tmp_path):
    make(
        tmp_path,
        {
            "Server/A.Server.csproj": SDK.format('<ItemGroup><Compile Include="..\\Shared\\Dto.cs" /></ItemGroup>'),
            "Shared/A.Shared.csproj": SDK.format(""),
            "Shared/Dto.cs": CLASS,
        },
    )
    assert projects_of(discover([tmp_path])) == {"Shared/Dto.cs": "A.Shared"}


def test_old_style_project_lists_its_files(tmp_path):
    make(
        tmp_path,
        {
            "Legacy/Legacy.csproj": '<?xml version="1.0"?>\n'
            '<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">'
            "<PropertyGroup><AssemblyName>Acme.Legacy.Server</AssemblyName></PropertyGroup>"
            '<ItemGroup><Compile Include="Listed.cs" /><Compile Include="Properties\\AssemblyInfo.cs" /></ItemGroup>'
            "</Project>",
            "Legacy/Listed.cs": CLASS,
            "Legacy/Properties/AssemblyInfo.cs": CLASS,
            "Legacy/Unlisted.cs": CLASS,
        },
    )
    ws = discover([tmp_path / "Legacy" / "Legacy.csproj"])
    assert projects_of(ws) == {"Listed.cs": "Legacy", "Properties/AssemblyInfo.cs": "Legacy"}
    assert ws.projects[0].assembly_name == "Acme.Legacy.Server" and ws.projects[0].role == "server"
    from_folder = projects_of(discover([tmp_path]))
    assert from_folder["Legacy/Listed.cs"] == "Legacy"
    assert from_folder["Legacy/Unlisted.cs"] is None


def test_nested_project_owns_its_folder(tmp_path):
    make(
        tmp_path,
        {
            "Outer/Outer.csproj": SDK.format(""),
            "Outer/A.cs": CLASS,
            "Outer/Inner/Inner.csproj": SDK.format(""),
            "Outer/Inner/B.cs": CLASS,
            "Outer/Inner/Sub/C.cs": CLASS,
        },
    )
    assert projects_of(discover([tmp_path])) == {
        "Outer/A.cs": "Outer",
        "Outer/Inner/B.cs": "Inner",
        "Outer/Inner/Sub/C.cs": "Inner",
    }
    assert rels(discover([tmp_path / "Outer" / "Outer.csproj"])) == ["A.cs"]


def test_build_and_tool_folders_are_skipped(tmp_path):
    make(tmp_path, {f"{d}/X.cs": CLASS for d in ["bin", "obj/Debug", ".vs", ".vshistory", "node_modules/p", ".git", "Bin", "OBJ"]})
    make(tmp_path, {"src/Kept.cs": CLASS, "src/bin/Debug/Gone.cs": CLASS, "binary/Kept.cs": CLASS})
    assert rels(discover([tmp_path])) == ["binary/Kept.cs", "src/Kept.cs"]


def test_gitignore_root_and_nested(tmp_path):
    make(
        tmp_path,
        {
            ".gitignore": "*.tmp.cs\nGenerated/\n/Top.cs\n",
            "Top.cs": CLASS,
            "A.cs": CLASS,
            "Scratch.tmp.cs": CLASS,
            "Generated/Out.cs": CLASS,
            "lib/Generated/Out.cs": CLASS,
            "lib/Top.cs": CLASS,
            "lib/.gitignore": "Secret.cs\n!Keep.tmp.cs\n",
            "lib/Secret.cs": CLASS,
            "lib/deep/Secret.cs": CLASS,
            "lib/Keep.tmp.cs": CLASS,
            "other/Secret.cs": CLASS,
        },
    )
    assert rels(discover([tmp_path])) == ["A.cs", "lib/Keep.tmp.cs", "lib/Top.cs", "other/Secret.cs"]


def test_gitignore_above_the_walked_folder_applies_inside_a_repository(tmp_path):
    make(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", ".gitignore": "Ignored/\n", "src/Ignored/X.cs": CLASS, "src/Y.cs": CLASS})
    assert rels(discover([tmp_path / "src"])) == ["Y.cs"]


def test_generated_files_are_skipped_with_reason(tmp_path):
    make(
        tmp_path,
        {
            "A.cs": CLASS,
            "Api.g.cs": CLASS,
            "Form.Designer.cs": CLASS,
            "View.g.i.cs": CLASS,
            "Marked.cs": "//------\n// <auto-generated>\n//   by a tool\n// </auto-generated>\n" + CLASS,
            "Late.cs": "//" + "x" * 2000 + "\n// <auto-generated/>\n" + CLASS,
        },
    )
    (tmp_path / "Wide.cs").write_bytes(b"\xff\xfe" + "// <auto-generated/>\n".encode("utf-16-le"))
    ws = discover([tmp_path])
    assert rels(ws) == ["A.cs", "Late.cs", "Marked.cs", "Wide.cs"]
    # Discovery skips by name; the `<auto-generated` marker is read by the scan, which reads every file anyway.
    assert ws.skipped == [(name, "generated") for name in ["Api.g.cs", "Form.Designer.cs", "View.g.i.cs"]]
    from oqmigrate.scanner import scan
    result = scan(ws, {"OQJ001"}, jobs=1)
    assert sorted(result.skipped) == [(name, "generated") for name in
                                      ["Api.g.cs", "Form.Designer.cs", "Marked.cs", "View.g.i.cs", "Wide.cs"]]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_terminates_and_symlinked_dirs_are_followed_once(tmp_path):
    make(tmp_path, {"a/A.cs": CLASS, "real/R.cs": CLASS})
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "a" / "A.cs", tmp_path / "a" / "Alias.cs")
    ws = discover([tmp_path])
    assert rels(ws) == ["a/A.cs", "link/R.cs"]


def test_missing_or_unsupported_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="path not found: .*nope"):
        discover([tmp_path / "nope"])
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UsageError, match="unsupported file type"):
        discover([tmp_path / "notes.txt"])


def test_malformed_project_is_an_error_entry_and_its_files_still_found(tmp_path):
    make(tmp_path, {"Server/Broken.Server.csproj": "<Project Sdk=", "Server/A.cs": CLASS})
    ws = discover([tmp_path])
    assert projects_of(ws) == {"Server/A.cs": "Broken.Server"}
    assert [rel for rel, _ in ws.errors] == ["Server/Broken.Server.csproj"]
    assert ws.errors[0][1].startswith("cannot read project:") and "\n" not in ws.errors[0][1]


def test_order_is_deterministic_and_files_are_not_repeated(tmp_path):
    module(tmp_path)
    make(tmp_path, {f"Server/Jobs/J{i}.cs": CLASS for i in (10, 2, 1)})
    first = discover([tmp_path, tmp_path / "Server", tmp_path / "Server" / "Startup.cs"])
    again = discover([tmp_path / "Server" / "Startup.cs", tmp_path / "Server", tmp_path])
    assert rels(first) == sorted(rels(first)) == rels(again)
    assert len(set(rels(first))) == len(rels(first)) == 8
    assert first.files == again.files and first.projects == again.projects


def test_lone_cs_file_gets_its_enclosing_project(tmp_path):
    module(tmp_path)
    make(tmp_path, {".gitignore": "Jobs/\n", "Server/Jobs/Api.g.cs": CLASS})
    ws = discover([tmp_path / "Server" / "Jobs" / "TaskJob.cs"])
    assert ws.root == tmp_path / "Server" / "Jobs"
    assert [(f.rel, f.project.name, f.project.role) for f in ws.files] == [("TaskJob.cs", "Acme.Module.Tasks.Server", "server")]
    # Named explicitly: included even though ignored and generated.
    assert rels(discover([tmp_path / "Server" / "Jobs" / "Api.g.cs"])) == ["Api.g.cs"]


def test_lone_cs_file_search_stops_at_the_repository_top(tmp_path):
    make(tmp_path, {"Outside.csproj": SDK.format(""), "repo/.git/HEAD": "x", "repo/src/A.cs": CLASS})
    ws = discover([tmp_path / "repo" / "src" / "A.cs"])
    assert [(f.rel, f.project) for f in ws.files] == [("A.cs", None)]


def test_several_paths_share_their_common_parent_as_root(tmp_path):
    module(tmp_path)
    ws = discover([tmp_path / "Server" / "Acme.Module.Tasks.Server.csproj", tmp_path / "Client"])
    assert ws.root == tmp_path
    assert rels(ws) == ["Client/Index.razor.cs", "Server/Jobs/TaskJob.cs", "Server/Startup.cs"]


def test_solution_without_projects_is_an_error(tmp_path):
    (tmp_path / "Garbage.sln").write_bytes(bytes(range(256)) * 2)
    ws = discover([tmp_path / "Garbage.sln"])
    assert ws.files == [] and ws.errors == [("Garbage.sln", "no C# project (.csproj) listed in this solution")]


# -- project scope: will Oqtane discover jobs in the project's assembly? ----------------------------------------------


def by_project(ws):
    return {p.name: (p.assembly, p.references_oqtane, p.scope) for p in ws.projects}


def test_scope_of_each_kind_of_project():
    ws = discover([WORKSPACE / "scopes"])
    assert by_project(ws) == {
        # The template's layout: *.Server.Oqtane assembly, framework packages from NuGet.
        "Acme.Module.Notes.Server": ("Acme.Module.Notes.Server.Oqtane", True, ProjectScope.MODULE),
        # The "local" template: <Reference Include="Oqtane.Server, Version=..."><HintPath>, no package.
        "Acme.Module.Polls.Server": ("Acme.Module.Polls.Server.Oqtane", True, ProjectScope.MODULE),
        # <Reference Include="oqtane.server"> (any case); no AssemblyName, so the file name is the assembly.
        "Acme.Tasks.Server": ("Acme.Tasks.Server", True, ProjectScope.NOT_DISCOVERED),
        # A Microsoft.NET.Sdk.Worker service.
        "Acme.Reports.Worker": ("Acme.Reports.Worker", False, ProjectScope.NOT_OQTANE),
        # $(MSBuildProjectName).Oqtane, and $(RootNamespace) built from a property of the same file.
        "Acme.Module.Blog.Server": ("Acme.Module.Blog.Server.Oqtane", True, ProjectScope.MODULE),
        "Wiki.Server": ("Acme.Module.Wiki.Server.Oqtane", True, ProjectScope.MODULE),
        # A property from elsewhere (Directory.Build.props): judged by the raw text.
        "Forms.Server": ("$(Owner).Module.Forms.Server", True, ProjectScope.NOT_DISCOVERED),
        # Only a ProjectReference to a module project: references Oqtane through it.
        "Acme.Digest": ("Acme.Digest", True, ProjectScope.NOT_DISCOVERED),
    }
    assert {p.name: p.assembly_name for p in ws.projects}["Acme.Module.Blog.Server"] == "$(MSBuildProjectName).Oqtane"
    scopes = {f.rel: f.scope for f in ws.files}
    assert scopes["Reports/ReportWorker.cs"] is ProjectScope.NOT_OQTANE
    assert scopes["Notes/Server/Jobs/NoteSweeper.cs"] is ProjectScope.MODULE
    # No project file encloses it: no scope, the caller treats it as a module's.
    assert scopes["Scripts/Cleanup.cs"] is None
    assert [f.rel for f in ws.loose_files] == ["Scripts/Cleanup.cs"]
    assert [p.name for p in ws.projects_in(ProjectScope.NOT_OQTANE)] == ["Acme.Reports.Worker"]
    assert ws.errors == [] and ws.outside == []


def test_scope_reason_names_the_assembly_and_the_next_step():
    projects = {p.name: p for p in discover([WORKSPACE / "scopes"]).projects}
    assert projects["Acme.Module.Notes.Server"].scope_reason is None
    assert projects["Acme.Tasks.Server"].scope_reason == (
        'assembly Acme.Tasks.Server does not contain "Oqtane": Oqtane will not discover its jobs; '
        "rename the assembly (<AssemblyName>Acme.Tasks.Server.Oqtane</AssemblyName>) to migrate it"
    )
    worker = projects["Acme.Reports.Worker"].scope_reason
    assert worker.startswith("project Acme.Reports.Worker is not an Oqtane module (no Oqtane reference")
    assert "reference Oqtane.Server and name the assembly Acme.Reports.Worker.Oqtane" in worker
    assert all("\n" not in (p.scope_reason or "") for p in projects.values())


def test_a_project_named_on_the_command_line_gets_its_scope(tmp_path):
    ws = discover([WORKSPACE / "scopes" / "Reports" / "Acme.Reports.Worker.csproj"])
    assert [(f.rel, f.scope) for f in ws.files] == [("ReportWorker.cs", ProjectScope.NOT_OQTANE)]
    # A lone .cs file gets the scope of the project file that encloses it.
    ws = discover([WORKSPACE / "scopes" / "Tasks" / "Jobs" / "TaskReminder.cs"])
    assert [(f.rel, f.scope) for f in ws.files] == [("TaskReminder.cs", ProjectScope.NOT_DISCOVERED)]


@pytest.mark.parametrize(
    "items, references",
    [
        ('<Reference Include="Oqtane.Shared, Version=10.2.4.0, Culture=neutral, PublicKeyToken=null" />', True),
        ('<Reference Include="Framework"><HintPath>..\\lib\\Oqtane.Server.dll</HintPath></Reference>', True),
        ('<Reference Include="$(Lib)\\Oqtane.Client.dll" />', True),  # a path to the DLL
        ('<PackageReference Include="Dnf.Module.Projects.Shared.Oqtane" Version="1.0.0" />', True),  # a module's
        ('<Reference Include="System.Net.Http" />', False),
        ('<PackageReference Update="OQTANE.SERVER" Version="10.2.4" />', True),
        ('<PackageReference Include="Newtonsoft.Json;Oqtane.Shared" />', True),
        ('<ProjectReference Include="$(OqtaneRoot)\\Oqtane.Server\\Oqtane.Server.csproj" />', True),
        ('<PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />', False),
        ('<ProjectReference Include="..\\Missing\\Missing.csproj" />', False),
    ],
)
def test_oqtane_reference_forms(tmp_path, items, references):
    make(tmp_path, {"Acme.Jobs/Acme.Jobs.csproj": SDK.format(f"<ItemGroup>{items}</ItemGroup>"), "Acme.Jobs/A.cs": CLASS})
    [project] = discover([tmp_path]).projects
    assert project.references_oqtane is references
    assert project.scope is (ProjectScope.NOT_DISCOVERED if references else ProjectScope.NOT_OQTANE)


@pytest.mark.parametrize(
    "properties, assembly",
    [
        ("<AssemblyName>$(MSBuildProjectName)</AssemblyName>", "Acme.Jobs"),
        ("<AssemblyName>$(RootNamespace).Oqtane</AssemblyName>", "Acme.Jobs.Oqtane"),  # RootNamespace's default
        ("<Owner>acme</Owner><AssemblyName>$(owner).jobs.oqtane</AssemblyName>", "acme.jobs.oqtane"),
        # The last unconditional definition wins; a conditional one only when there is no other.
        ("<AssemblyName>First</AssemblyName><AssemblyName>Second.Oqtane</AssemblyName>", "Second.Oqtane"),
        ("<AssemblyName Condition=\"'$(Configuration)'=='Debug'\">Dbg.Oqtane</AssemblyName>", "Dbg.Oqtane"),
        ("<A>$(B)</A><B>$(A)</B><AssemblyName>$(A)</AssemblyName>", "$(A)"),  # a cycle stays as written
        ("<AssemblyName>$(AssemblyName).Oqtane</AssemblyName>", "$(AssemblyName).Oqtane"),
        ("<AssemblyName>$(MSBuildProjectName.Replace('.', '_'))</AssemblyName>",
         "$(MSBuildProjectName.Replace('.', '_'))"),  # property functions need MSBuild
        ("<AssemblyName>  </AssemblyName>", "Acme.Jobs"),
    ],
)
def test_assembly_name_properties(tmp_path, properties, assembly):
    make(tmp_path, {"Acme.Jobs.csproj": SDK.format(f"<PropertyGroup>{properties}</PropertyGroup>"), "A.cs": CLASS})
    [project] = discover([tmp_path / "Acme.Jobs.csproj"]).projects
    assert project.assembly == assembly
    assert project.scope is (ProjectScope.MODULE if "oqtane" in assembly.lower() else ProjectScope.NOT_OQTANE)


# -- projects outside the scanned folder or its git work tree -------------------------------------------------------


@pytest.mark.parametrize("solution", ["Acme.Module.Tasks.sln", "Acme.Module.Tasks.slnx"])
def test_solution_listing_the_framework_beside_the_module(solution):
    ws = discover([SIBLING / "Acme.Module.Tasks" / solution])
    assert ws.root == SIBLING / "Acme.Module.Tasks"
    assert projects_of(ws) == {
        "Client/ModuleInfo.cs": "Acme.Module.Tasks.Client",
        "Server/Services/DueDateWorker.cs": "Acme.Module.Tasks.Server",
        "Shared/Models/TaskItem.cs": "Acme.Module.Tasks.Shared",
    }
    assert ws.outside == [
        ("../oqtane.framework/Oqtane.Server/Oqtane.Server.csproj", OUTSIDE),
        ("../oqtane.framework/Oqtane.Shared/Oqtane.Shared.csproj", OUTSIDE),
    ]
    assert [p.name for p in ws.projects] == ["Acme.Module.Tasks.Client", "Acme.Module.Tasks.Server",
                                             "Acme.Module.Tasks.Shared"]
    assert all(p.scope is ProjectScope.MODULE and p.references_oqtane for p in ws.projects)
    assert ws.errors == [] and ws.skipped == []


def test_framework_listed_but_not_cloned_beside_the_module_is_outside_not_an_error(tmp_path):
    shutil.copytree(SIBLING / "Acme.Module.Tasks", tmp_path / "Acme.Module.Tasks")
    ws = discover([tmp_path / "Acme.Module.Tasks" / "Acme.Module.Tasks.sln"])
    assert ws.errors == []
    assert [rel for rel, _ in ws.outside] == ["../oqtane.framework/Oqtane.Server/Oqtane.Server.csproj",
                                              "../oqtane.framework/Oqtane.Shared/Oqtane.Shared.csproj"]
    # Its project references name the framework, so the module still references Oqtane.
    assert all(p.references_oqtane for p in ws.projects)


def test_both_solutions_and_the_folder_record_each_outside_project_once():
    module = SIBLING / "Acme.Module.Tasks"
    ws = discover([module / "Acme.Module.Tasks.sln", module / "Acme.Module.Tasks.slnx", module])
    assert len(ws.outside) == 2 and len(ws.files) == 3


def test_framework_named_on_the_command_line_is_scanned():
    ws = discover([SIBLING / "Acme.Module.Tasks", SIBLING / "oqtane.framework" / "Oqtane.Server" / "Oqtane.Server.csproj"])
    assert ws.root == SIBLING
    assert ws.outside == []
    assert projects_of(ws)["oqtane.framework/Oqtane.Server/Infrastructure/CacheWarmer.cs"] == "Oqtane.Server"
    assert by_project(ws)["Oqtane.Server"] == ("Oqtane.Server", True, ProjectScope.MODULE)


def vendored(tmp_path):
    """The module repository with the framework cloned inside it: two git work trees, one in the other."""
    shutil.copytree(WORKSPACE / "vendored", tmp_path / "repo")
    make_repo(tmp_path / "repo" / "oqtane.framework")
    return make_repo(tmp_path / "repo")


NESTED = "in another git repository ({}a submodule or nested clone); scan it on its own if it is yours"


def test_solution_project_in_a_nested_repository_is_outside(tmp_path):
    repo = vendored(tmp_path)
    ws = discover([repo / "Acme.Module.Polls.slnx"])
    assert rels(ws) == ["Server/Jobs/PollCloser.cs"]
    assert ws.outside == [("oqtane.framework/Oqtane.Server/Oqtane.Server.csproj", NESTED.format("oqtane.framework/: "))]
    assert [p.name for p in ws.projects] == ["Acme.Module.Polls.Server"]


def test_folder_walk_stops_at_a_nested_repository(tmp_path):
    repo = vendored(tmp_path)
    ws = discover([repo])
    assert rels(ws) == ["Server/Jobs/PollCloser.cs"]
    assert ws.outside == [("oqtane.framework/", NESTED.format(""))]
    # Named on the command line beside the module, the nested project is still another repository's.
    ws = discover([repo / "Server", repo / "oqtane.framework" / "Oqtane.Server" / "Oqtane.Server.csproj"])
    assert rels(ws) == ["Server/Jobs/PollCloser.cs"]
    assert ws.outside == [("oqtane.framework/Oqtane.Server/Oqtane.Server.csproj", NESTED.format("oqtane.framework/: "))]
    # On its own it is the scanned repository.
    ws = discover([repo / "oqtane.framework"])
    assert rels(ws) == ["Oqtane.Server/Infrastructure/CacheWarmer.cs"] and ws.outside == []


def test_without_a_nested_repository_the_vendored_framework_is_part_of_the_scan(tmp_path):
    shutil.copytree(WORKSPACE / "vendored", tmp_path / "repo")
    ws = discover([tmp_path / "repo" / "Acme.Module.Polls.slnx"])
    assert ws.outside == []
    assert rels(ws) == ["Server/Jobs/PollCloser.cs", "oqtane.framework/Oqtane.Server/Infrastructure/CacheWarmer.cs"]


def test_scan_of_a_module_solution_reports_nothing_from_the_framework_beside_it():
    code, out, err = run_cli("scan", "--no-progress", "--format", "json", SIBLING / "Acme.Module.Tasks" / "Acme.Module.Tasks.sln")
    assert code == 1, err  # error-severity findings in the module
    assert "Traceback" not in err
    report = json.loads(out)
    assert report["files_scanned"] == 3 and report["errors"] == []
    assert {(f["path"], f["rule_id"]) for f in report["findings"]} == {
        ("Server/Services/DueDateWorker.cs", "OQJ001"),
        ("Server/Services/DueDateWorker.cs", "OQJ002"),
    }
    assert "CacheWarmer" not in out
    assert all("oqtane.framework" not in p["path"] for p in report["projects"])
    assert any("oqtane.framework" in n and "outside the scanned folder" in n for n in report["notices"])
