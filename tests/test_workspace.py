import os
import sys

import pytest

from oqmigrate.workspace import UsageError, discover

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
