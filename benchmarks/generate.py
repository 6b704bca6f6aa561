#!/usr/bin/env python3
"""Generate a large, deterministic, synthetic Oqtane solution for benchmarking `oqmigrate scan`.

    python benchmarks/generate.py [TREE] [--files 15000] [--worker-share 0.03] [--seed 7]

The tree holds several module solutions (`Owner.Module.X.sln`, `Server/Client/Shared` projects named
`Owner.Module.X.Server.csproj` ...). Most files are ordinary C# (controllers, repositories, models, services,
Blazor code-behind, some of them large, some mentioning `Timer` or `Task.Delay` outside any worker); a few percent
are workers and jobs of every shape the rules know. What was generated is written to `TREE/expected.json`:
every worker/job class with the rule ids a scan must report for it, and every manual registration. That file is
the recall baseline `bench_scan.py` compares against.

Everything is derived from a seeded `random.Random`, so the same arguments give byte-identical trees.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

DEFAULT_TREE = Path(__file__).resolve().parent / "out" / "tree"

OWNERS = ["Acme", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware", "Adatum", "Wingtip"]
MODULE_WORDS = ["Tasks", "Blog", "Events", "Forms", "Catalog", "Orders", "Survey", "Gallery", "Wiki", "Forum",
                "Newsletter", "Jobs", "Invoices", "Inventory", "Booking", "Chat", "Docs", "Feeds", "Helpdesk",
                "Members", "Polls", "Quotes", "Rss", "Shop", "Tickets", "Videos", "Weather", "Calendar", "Crm",
                "Directory", "Faq", "Links", "Maps", "Notes", "Payroll", "Projects", "Reports", "Search", "Sync"]
NOUNS = ["Order", "Customer", "Invoice", "Ticket", "Reminder", "Digest", "Report", "Export", "Import", "Feed",
         "Cache", "Index", "Archive", "Mail", "Notification", "Audit", "Token", "Session", "Upload", "Image",
         "Payment", "Subscription", "Schedule", "Survey", "Comment", "Post", "Category", "Attachment", "Queue",
         "Snapshot", "Ledger", "Metric", "Webhook", "Template", "Quota", "Coupon", "Shipment", "Review"]
VERBS = ["Sync", "Cleanup", "Purge", "Refresh", "Rebuild", "Dispatch", "Poll", "Sweep", "Send", "Collect",
         "Compact", "Expire", "Publish", "Reconcile", "Notify", "Aggregate", "Warm", "Rotate", "Prune", "Scan"]
WORKER_SUFFIX = ["Worker", "Service", "HostedService", "Processor", "Poller", "Daemon", "Runner", "Pump"]
JOB_SUFFIX = ["Job", "Task", "ScheduledJob"]
TYPES = ["int", "string", "bool", "DateTime", "decimal", "long", "Guid", "double"]

# Which rule ids a scan must report for each shape (recall baseline). Only the rules the shape is built to
# trigger are listed; other findings on the same class (OQJ010, OQJ015, ...) are fine and not counted.
SHAPES = {
    "bgs_delay_loop": ["OQJ001", "OQJ002"],
    "hosted_threading_timer": ["OQJ001", "OQJ002"],
    "hosted_timers_timer": ["OQJ001", "OQJ002"],
    "bgs_periodic_timer": ["OQJ001", "OQJ002"],
    "bgs_cron_loop": ["OQJ001", "OQJ002", "OQJ006"],
    "hosted_task_run_loop": ["OQJ001", "OQJ002", "OQJ003"],
    "job_compliant": [],
    "job_static_cache": ["OQJ004"],
    "job_set_tenant_loop": ["OQJ005"],
    "derived_worker": ["OQJ001"],
}
WORKER_SHAPES = [s for s in SHAPES if not s.startswith("job_")]


class Gen:
    def __init__(self, rnd: random.Random):
        self.r = rnd
        self.used: set[str] = set()

    def pick(self, seq):
        return self.r.choice(seq)

    def ident(self, suffixes) -> str:
        for _ in range(1000):
            name = self.pick(NOUNS) + self.pick(VERBS) + self.pick(suffixes)
            if name not in self.used:
                self.used.add(name)
                return name
        n = len(self.used)
        name = f"{self.pick(NOUNS)}{self.pick(VERBS)}{n}{self.pick(suffixes)}"
        self.used.add(name)
        return name

    def field(self) -> str:
        return self.pick(["_", ""]) + self.pick(NOUNS).lower() + self.pick(["Count", "Name", "Id", "State", "List", ""])

    # --------------------------------------------------------------- ordinary code
    def statement(self, depth: int = 0) -> list[str]:
        r = self.r
        n, m = self.pick(NOUNS), self.pick(NOUNS)
        k = r.randrange(12)
        if k == 0:
            return [f"var {n.lower()}s = _{m.lower()}Repository.Get{n}s(siteId).Where(item => item.IsActive).ToList();"]
        if k == 1:
            return [f"if ({n.lower()} == null)", "{", f"    _logger.LogWarning(\"{n} {{Id}} not found\", id);",
                    "    return NotFound();", "}"]
        if k == 2:
            return [f"foreach (var item in {n.lower()}s)", "{",
                    f"    item.{m}Count += {r.randrange(1, 9)};",
                    "    item.ModifiedOn = DateTime.UtcNow;", "}"]
        if k == 3:
            return [f"var total = {n.lower()}s.Sum(x => x.Amount * {r.randrange(2, 99)}m);"]
        if k == 4:
            return ["try", "{", f"    await _{m.lower()}Service.Update{n}Async({n.lower()});", "}",
                    "catch (Exception ex)", "{",
                    f"    _logger.LogError(ex, \"Error updating {n} {{Id}}\", {n.lower()}.{n}Id);", "    throw;", "}"]
        if k == 5:
            return [f"// {self.pick(VERBS)} the {n.lower()} before the {m.lower()} is saved (see ticket #{r.randrange(100, 9999)})",
                    f"var key = $\"{n}:{{siteId}}:{{{n.lower()}Id}}\";"]
        if k == 6:
            return [f"switch ({n.lower()}.Status)", "{",
                    f"    case {n}Status.Draft:", f"        {n.lower()}.Status = {n}Status.Pending;", "        break;",
                    f"    case {n}Status.Pending:", f"        {n.lower()}.Status = {n}Status.Published;", "        break;",
                    "    default:", "        break;", "}"]
        if k == 7:
            return [f"var query = _db.{n}s.AsNoTracking().Where(x => x.ModuleId == moduleId && x.{m}Id > {r.randrange(0, 50)});",
                    f"var page = await query.OrderBy(x => x.Name).Skip(skip).Take({r.choice([10, 20, 50])}).ToListAsync();"]
        if k == 8:
            return [f"string message = string.Format(\"{{0}} {n.lower()}s processed in {{1}} ms\", count, watch.ElapsedMilliseconds);"]
        if k == 9:
            return [f"var dto = new {n}Dto {{ Id = {n.lower()}.{n}Id, Name = {n.lower()}.Name, Created = {n.lower()}.CreatedOn }};"]
        if k == 10:
            return [f"if (!User.IsInRole(RoleNames.Admin) && {n.lower()}.CreatedBy != User.Identity.Name)", "{",
                    f"    _logger.Log(LogLevel.Error, this, LogFunction.Security, \"Unauthorized {n} Access {{{n}}}\", {n.lower()});",
                    "    HttpContext.Response.StatusCode = (int)HttpStatusCode.Forbidden;", "    return null;", "}"]
        return [f"int {n.lower()}Index = Array.IndexOf(values, \"{m}\") + {r.randrange(1, 7)};"]

    def method(self, cls: str, indent: str, timerish: bool = False) -> list[str]:
        r = self.r
        noun, verb = self.pick(NOUNS), self.pick(VERBS)
        asyncm = r.random() < 0.5
        ret = f"async Task<{noun}>" if asyncm else self.pick(["void", "int", f"IEnumerable<{noun}>", "bool"])
        params = ", ".join(f"{self.pick(TYPES)} {p}" for p in r.sample(["siteId", "moduleId", "id", "name", "skip", "filter"], r.randrange(0, 4)))
        lines = [f"{indent}/// <summary>{verb}s the {noun.lower()} for the given module.</summary>",
                 f"{indent}public {ret} {verb}{noun}{r.randrange(1000)}({params})", f"{indent}{{"]
        body = []
        for _ in range(r.randrange(2, 9)):
            body.extend(self.statement())
        if timerish:
            body.extend(self.timerish_statement())
        lines.extend(f"{indent}    {b}" for b in body)
        if asyncm:
            lines.append(f"{indent}    return await Task.FromResult<{noun}>(null);")
        elif ret == "int":
            lines.append(f"{indent}    return {r.randrange(100)};")
        elif ret == "bool":
            lines.append(f"{indent}    return true;")
        elif ret != "void":
            lines.append(f"{indent}    return Enumerable.Empty<{noun}>();")
        lines.append(f"{indent}}}")
        lines.append("")
        return lines

    def timerish_statement(self) -> list[str]:
        """Timer / Task.Delay outside any worker: must raise nothing."""
        k = self.r.randrange(4)
        if k == 0:
            return ["await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt)); // retry back-off"]
        if k == 1:
            return ["var debounce = new System.Timers.Timer(300) { AutoReset = false };",
                    "debounce.Elapsed += (s, e) => InvokeAsync(StateHasChanged);", "debounce.Start();"]
        if k == 2:
            return ["using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));",
                    "await Task.Delay(100, cts.Token);"]
        return ["var watch = System.Diagnostics.Stopwatch.StartNew();",
                "_refresh = new Timer(_ => _cache.Clear(), null, TimeSpan.Zero, TimeSpan.FromMinutes(5));"]

    def ordinary(self, ns: str, kind: str, target: int, timerish: bool, lookalike: bool) -> tuple[str, str]:
        r = self.r
        noun = self.pick(NOUNS)
        cls = {"controller": f"{noun}Controller", "repository": f"{noun}Repository", "model": noun,
               "service": f"{noun}Service", "razor": f"{noun}Edit", "manager": f"{noun}Manager"}[kind] + str(r.randrange(10000))
        base = {"controller": " : ModuleControllerBase", "repository": f" : I{noun}Repository", "model": " : ModelBase",
                "service": f" : I{noun}Service", "razor": " : ModuleBase", "manager": " : IInstallable, IPortable"}[kind]
        usings = ["using System;", "using System.Collections.Generic;", "using System.Linq;",
                  "using System.Threading.Tasks;", "using Microsoft.Extensions.Logging;", "using Oqtane.Shared;",
                  "using Oqtane.Models;", "using Oqtane.Enums;"]
        if kind == "controller":
            usings += ["using Microsoft.AspNetCore.Mvc;", "using Microsoft.AspNetCore.Authorization;", "using System.Net;"]
        if kind == "repository":
            usings += ["using Microsoft.EntityFrameworkCore;"]
        if timerish:
            usings += ["using System.Threading;"]
        file_scoped = r.random() < 0.4
        ind = "" if file_scoped else "    "
        out = usings + [""]
        out += [f"namespace {ns};", ""] if file_scoped else [f"namespace {ns}", "{"]
        if lookalike:
            out.append(f"{ind}// Formerly a BackgroundService polling every minute; now the {noun}PurgeJob (an Oqtane")
            out.append(f"{ind}// HostedServiceBase job) does this. Do not add an IHostedService here again.")
        if kind == "controller":
            out.append(f"{ind}[Route(ControllerRoutes.ApiRoute)]")
        out += [f"{ind}public class {cls}{base}", f"{ind}{{"]
        mi = ind + "    "
        for _ in range(r.randrange(1, 6)):
            out.append(f"{mi}private readonly I{self.pick(NOUNS)}Repository _{self.pick(NOUNS).lower()}Repository;")
        out.append(f"{mi}private readonly ILogger<{cls}> _logger;")
        out.append("")
        for _ in range(r.randrange(2, 8)):
            out.append(f"{mi}public {self.pick(TYPES)} {self.pick(NOUNS)}{self.pick(['Id', 'Name', 'Count', 'Date', 'Flag'])} {{ get; set; }}")
        out.append("")
        size = sum(len(x) + 1 for x in out)
        first = True
        while size < target:
            lines = self.method(cls, mi, timerish=timerish and first)
            first = False
            out.extend(lines)
            size += sum(len(x) + 1 for x in lines)
        out.append(f"{ind}}}")
        if not file_scoped:
            out.append("}")
        return cls, "\n".join(out) + "\n"

    # --------------------------------------------------------------- workers and jobs
    def header(self, usings: list[str], ns: str) -> tuple[list[str], str, bool]:
        file_scoped = self.r.random() < 0.5
        out = usings + [""]
        out += [f"namespace {ns};", ""] if file_scoped else [f"namespace {ns}", "{"]
        return out, ("" if file_scoped else "    "), file_scoped

    def worker(self, shape: str, ns: str, base_name: str | None, base_ns: str | None = None) -> tuple[str, str, int]:
        """Return (class name, text, line of the class declaration)."""
        r = self.r
        job = shape.startswith("job_")
        cls = self.ident(JOB_SUFFIX if job else WORKER_SUFFIX)
        noun = self.pick(NOUNS)
        minutes = r.randrange(1, 60)
        usings = ["using System;", "using System.Threading;", "using System.Threading.Tasks;",
                  "using Microsoft.Extensions.DependencyInjection;", "using Microsoft.Extensions.Logging;"]
        qualified = r.random() < 0.2
        hosting = "Microsoft.Extensions.Hosting." if qualified else ""
        if not qualified:
            usings.append("using Microsoft.Extensions.Hosting;")
        if shape == "hosted_timers_timer":
            alias = r.random() < 0.5
            usings.append("using Timer = System.Timers.Timer;" if alias else "using System.Timers;")
        if shape == "bgs_cron_loop":
            usings.append("using Cronos;")
        if shape == "derived_worker" and base_ns:
            usings.append(f"using {base_ns};")
        if job:
            usings += ["using System.Linq;", "using System.Collections.Generic;", "using Oqtane.Infrastructure;",
                       "using Oqtane.Repository;", "using Oqtane.Shared;"]
        out, ind, file_scoped = self.header(usings, ns)
        i2, i3, i4, i5 = ind + "    ", ind + "        ", ind + "            ", ind + "                "
        work = [f"{i4}using var scope = _scopeFactory.CreateScope();",
                f"{i4}var repository = scope.ServiceProvider.GetRequiredService<I{noun}Repository>();",
                f"{i4}var pending = repository.GetPending{noun}s().ToList();",
                f"{i4}_logger.LogInformation(\"{{Count}} {noun.lower()}s to process\", pending.Count);"]
        ctor_worker = [f"{i2}private readonly IServiceScopeFactory _scopeFactory;",
                       f"{i2}private readonly ILogger<{cls}> _logger;", "",
                       f"{i2}public {cls}(IServiceScopeFactory scopeFactory, ILogger<{cls}> logger)", f"{i2}{{",
                       f"{i3}_scopeFactory = scopeFactory;", f"{i3}_logger = logger;", f"{i2}}}", ""]
        out.append(f"{ind}/// <summary>{self.pick(VERBS)}s {noun.lower()}s every {minutes} minutes.</summary>")
        decl_line = len(out) + 1
        if shape == "bgs_delay_loop":
            out += [f"{ind}public class {cls} : {hosting}BackgroundService", f"{ind}{{"] + ctor_worker
            out += [f"{i2}protected override async Task ExecuteAsync(CancellationToken stoppingToken)", f"{i2}{{",
                    f"{i3}while (!stoppingToken.IsCancellationRequested)", f"{i3}{{", f"{i4}try", f"{i4}{{"]
            out += ["    " + w for w in work]
            out += [f"{i4}}}", f"{i4}catch (Exception ex)", f"{i4}{{",
                    f"{i5}_logger.LogError(ex, \"{cls} failed\");", f"{i4}}}",
                    f"{i4}await Task.Delay(TimeSpan.FromMinutes({minutes}), stoppingToken);", f"{i3}}}", f"{i2}}}"]
        elif shape == "hosted_threading_timer":
            tname = "System.Threading.Timer" if qualified or r.random() < 0.5 else "Timer"
            out += [f"{ind}public class {cls} : {hosting}IHostedService, IDisposable", f"{ind}{{",
                    f"{i2}private {tname} _timer;"] + ctor_worker
            out += [f"{i2}public Task StartAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_timer = new {tname}(DoWork, null, TimeSpan.Zero, TimeSpan.FromMinutes({minutes}));",
                    f"{i3}return Task.CompletedTask;", f"{i2}}}", "",
                    f"{i2}private void DoWork(object state)", f"{i2}{{", f"{i3}{{"] + work + [f"{i3}}}", f"{i2}}}", "",
                    f"{i2}public Task StopAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_timer?.Change(Timeout.Infinite, 0);", f"{i3}return Task.CompletedTask;", f"{i2}}}", "",
                    f"{i2}public void Dispose() => _timer?.Dispose();"]
        elif shape == "hosted_timers_timer":
            out += [f"{ind}public sealed class {cls} : IDisposable, {hosting}IHostedService", f"{ind}{{",
                    f"{i2}private readonly Timer _timer = new Timer(TimeSpan.FromMinutes({minutes}).TotalMilliseconds);"] + ctor_worker
            out += [f"{i2}public Task StartAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_timer.Elapsed += (sender, args) => Run();", f"{i3}_timer.AutoReset = true;",
                    f"{i3}_timer.Start();", f"{i3}return Task.CompletedTask;", f"{i2}}}", "",
                    f"{i2}private void Run()", f"{i2}{{", f"{i3}{{"] + work + [f"{i3}}}", f"{i2}}}", "",
                    f"{i2}public Task StopAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_timer.Stop();", f"{i3}return Task.CompletedTask;", f"{i2}}}", "",
                    f"{i2}public void Dispose() => _timer.Dispose();"]
        elif shape == "bgs_periodic_timer":
            out += [f"{ind}public class {cls} : {hosting}BackgroundService", f"{ind}{{"] + ctor_worker
            out += [f"{i2}protected override async Task ExecuteAsync(CancellationToken stoppingToken)", f"{i2}{{",
                    f"{i3}using var timer = new PeriodicTimer(TimeSpan.FromSeconds({minutes * 15}));",
                    f"{i3}while (await timer.WaitForNextTickAsync(stoppingToken))", f"{i3}{{"]
            out += work + [f"{i3}}}", f"{i2}}}"]
        elif shape == "bgs_cron_loop":
            out += [f"{ind}public class {cls} : {hosting}BackgroundService", f"{ind}{{",
                    f"{i2}private readonly CronExpression _cron = CronExpression.Parse(\"{r.randrange(60)} {r.randrange(24)} * * *\");"] + ctor_worker
            out += [f"{i2}protected override async Task ExecuteAsync(CancellationToken stoppingToken)", f"{i2}{{",
                    f"{i3}while (!stoppingToken.IsCancellationRequested)", f"{i3}{{",
                    f"{i4}var next = _cron.GetNextOccurrence(DateTime.UtcNow);",
                    f"{i4}if (next.HasValue)", f"{i4}{{",
                    f"{i5}await Task.Delay(next.Value - DateTime.UtcNow, stoppingToken);", f"{i4}}}"]
            out += work + [f"{i3}}}", f"{i2}}}"]
        elif shape == "hosted_task_run_loop":
            out += [f"{ind}public class {cls} : {hosting}IHostedService", f"{ind}{{",
                    f"{i2}private Task _loop;", f"{i2}private CancellationTokenSource _cts;"] + ctor_worker
            out += [f"{i2}public Task StartAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_cts = new CancellationTokenSource();",
                    f"{i3}_loop = Task.Run(() => LoopAsync(_cts.Token));", f"{i3}return Task.CompletedTask;", f"{i2}}}", "",
                    f"{i2}private async Task LoopAsync(CancellationToken token)", f"{i2}{{",
                    f"{i3}for (;;)", f"{i3}{{"] + work + [
                    f"{i4}await Task.Delay({minutes * 1000}, token);", f"{i3}}}", f"{i2}}}", "",
                    f"{i2}public async Task StopAsync(CancellationToken cancellationToken)", f"{i2}{{",
                    f"{i3}_cts.Cancel();", f"{i3}await _loop;", f"{i2}}}"]
        elif shape == "derived_worker":
            out += [f"{ind}public class {cls} : {base_name}", f"{ind}{{",
                    f"{i2}public {cls}(IServiceScopeFactory scopeFactory, ILogger<{cls}> logger)",
                    f"{i3}: base(scopeFactory, logger, TimeSpan.FromMinutes({minutes}))", f"{i2}{{", f"{i2}}}", "",
                    f"{i2}protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken token)",
                    f"{i2}{{", f"{i3}var repository = services.GetRequiredService<I{noun}Repository>();",
                    f"{i3}await repository.Refresh{noun}sAsync(token);", f"{i2}}}"]
            usings_fix = [u for u in out if u == "using Microsoft.Extensions.Hosting;"]
            # a subclass file normally has no reason to mention the framework base
            for u in usings_fix:
                out.remove(u)
                decl_line -= 1
        else:  # jobs
            freq = self.pick(["m", "H", "d", "w", "M"])
            out += [f"{ind}public class {cls} : HostedServiceBase", f"{ind}{{"]
            if shape == "job_static_cache":
                out += [f"{i2}private static readonly Dictionary<int, DateTime> _lastRun = new Dictionary<int, DateTime>();", ""]
            out += [f"{i2}public {cls}(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)", f"{i2}{{",
                    f"{i3}Name = \"{noun} {self.pick(VERBS)} Job\";", f"{i3}Frequency = \"{freq}\";",
                    f"{i3}Interval = {r.randrange(1, 12)};", f"{i3}IsEnabled = true;", f"{i2}}}", "",
                    f"{i2}public override string ExecuteJob(IServiceProvider provider)", f"{i2}{{",
                    f"{i3}string log = \"\";", f"{i3}try", f"{i3}{{"]
            if shape == "job_set_tenant_loop":
                out += [f"{i4}var tenantRepository = provider.GetRequiredService<ITenantRepository>();",
                        f"{i4}var tenantManager = provider.GetRequiredService<ITenantManager>();",
                        f"{i4}foreach (var tenant in tenantRepository.GetTenants())", f"{i4}{{",
                        f"{i5}tenantManager.SetTenant(tenant.TenantId);",
                        f"{i5}log += \"Tenant \" + tenant.Name + \"<br />\";", f"{i4}}}"]
            else:
                out += [f"{i4}var siteRepository = provider.GetRequiredService<ISiteRepository>();",
                        f"{i4}foreach (var site in siteRepository.GetSites().Where(s => !s.IsDeleted))", f"{i4}{{"]
                if shape == "job_static_cache":
                    out += [f"{i5}if (_lastRun.TryGetValue(site.SiteId, out var last) && last > DateTime.UtcNow.AddHours(-1)) continue;",
                            f"{i5}_lastRun[site.SiteId] = DateTime.UtcNow;"]
                out += [f"{i5}log += \"Processing Site: \" + site.Name + \"<br />\";", f"{i4}}}"]
            out += [f"{i3}}}", f"{i3}catch (Exception ex)", f"{i3}{{",
                    f"{i4}log += \"{cls} failed: \" + ex.Message + \"<br />\";", f"{i3}}}",
                    f"{i3}return log;", f"{i2}}}"]
        out.append(f"{ind}}}")
        if not file_scoped:
            out.append("}")
        return cls, "\n".join(out) + "\n", decl_line

    def worker_base(self, ns: str) -> tuple[str, str, int]:
        """A project-local abstract worker base (itself an abstract worker) that derived workers extend."""
        cls = self.pick(["Polling", "Recurring", "Interval", "Periodic", "Looping"]) + self.ident(["WorkerBase", "ServiceBase"])
        out, ind, file_scoped = self.header(["using System;", "using System.Threading;", "using System.Threading.Tasks;",
                                             "using Microsoft.Extensions.DependencyInjection;",
                                             "using Microsoft.Extensions.Hosting;", "using Microsoft.Extensions.Logging;"], ns)
        i2, i3, i4 = ind + "    ", ind + "        ", ind + "            "
        decl_line = len(out) + 1
        out += [f"{ind}public abstract class {cls} : BackgroundService", f"{ind}{{",
                f"{i2}private readonly IServiceScopeFactory _scopeFactory;", f"{i2}protected readonly ILogger Logger;",
                f"{i2}private readonly TimeSpan _period;", "",
                f"{i2}protected {cls}(IServiceScopeFactory scopeFactory, ILogger logger, TimeSpan period)", f"{i2}{{",
                f"{i3}_scopeFactory = scopeFactory;", f"{i3}Logger = logger;", f"{i3}_period = period;", f"{i2}}}", "",
                f"{i2}protected abstract Task RunOnceAsync(IServiceProvider services, CancellationToken token);", "",
                f"{i2}protected override async Task ExecuteAsync(CancellationToken stoppingToken)", f"{i2}{{",
                f"{i3}do", f"{i3}{{", f"{i4}using (var scope = _scopeFactory.CreateScope())", f"{i4}{{",
                f"{i4}    await RunOnceAsync(scope.ServiceProvider, stoppingToken);", f"{i4}}}",
                f"{i4}await Task.Delay(_period, stoppingToken);", f"{i3}}}",
                f"{i3}while (!stoppingToken.IsCancellationRequested);", f"{i2}}}", f"{ind}}}"]
        if not file_scoped:
            out.append("}")
        return cls, "\n".join(out) + "\n", decl_line

    def startup(self, ns: str, regs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, int]]]:
        """ServerStartup registering some workers by hand; returns the text and (class, line) per registration."""
        out, ind, file_scoped = self.header(["using Microsoft.AspNetCore.Builder;", "using Microsoft.AspNetCore.Hosting;",
                                             "using Microsoft.Extensions.DependencyInjection;",
                                             "using Oqtane.Infrastructure;"] +
                                            sorted({f"using {wns};" for _, wns in regs}), ns)
        i2, i3 = ind + "    ", ind + "        "
        out += [f"{ind}public class ServerStartup : IServerStartup", f"{ind}{{",
                f"{i2}public void Configure(IApplicationBuilder app, IWebHostEnvironment env)", f"{i2}{{", f"{i2}}}", "",
                f"{i2}public void ConfigureMvc(IMvcBuilder mvcBuilder)", f"{i2}{{", f"{i2}}}", "",
                f"{i2}public void ConfigureServices(IServiceCollection services)", f"{i2}{{"]
        lines = []
        for cls, _ in regs:
            out.append(f"{i3}services.AddHostedService<{cls}>();")
            lines.append((cls, len(out)))
        out += [f"{i2}}}", f"{ind}}}"]
        if not file_scoped:
            out.append("}")
        return "\n".join(out) + "\n", lines


def csproj(owner: str, module: str, role: str) -> str:
    sdk = "Microsoft.NET.Sdk.Razor" if role != "Shared" else "Microsoft.NET.Sdk"
    refs = '    <ProjectReference Include="..\\Shared\\{0}.Module.{1}.Shared.csproj" />\n'.format(owner, module) if role != "Shared" else ""
    return (f'<Project Sdk="{sdk}">\n  <PropertyGroup>\n    <TargetFramework>net10.0</TargetFramework>\n'
            f'    <AssemblyName>{owner}.Module.{module}.{role}.Oqtane</AssemblyName>\n  </PropertyGroup>\n'
            f'  <ItemGroup>\n    <PackageReference Include="Oqtane.{"Server" if role == "Server" else "Client" if role == "Client" else "Shared"}" Version="10.2.4" />\n'
            f'  </ItemGroup>\n  <ItemGroup>\n{refs}  </ItemGroup>\n</Project>\n')


def sln(owner: str, module: str) -> str:
    lines = ["", "Microsoft Visual Studio Solution File, Format Version 12.00", "# Visual Studio Version 17"]
    for i, role in enumerate(["Client", "Server", "Shared"]):
        lines += [f'Project("{{9A19103F-16F7-4668-BE54-9A1E7A4F7556}}") = "{owner}.Module.{module}.{role}", '
                  f'"{role}\\{owner}.Module.{module}.{role}.csproj", "{{00000000-0000-0000-0000-00000000000{i}}}"',
                  "EndProject"]
    lines += ["Global", "EndGlobal", ""]
    return "\r\n".join(lines)


def generate(tree: Path, files: int, worker_share: float, seed: int, files_per_module: int = 300) -> dict:
    r = random.Random(seed)
    g = Gen(r)
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    # Mark the tree as the top of its own repository: the default tree lives under this repository's gitignored
    # benchmarks/out/, and scanners (oqmigrate, ast-grep) honour the .gitignore files of the enclosing repository.
    (tree / ".git").mkdir()
    n_modules = max(1, round(files / files_per_module))
    modules = []
    for i in range(n_modules):
        owner = OWNERS[i % len(OWNERS)]
        word = MODULE_WORDS[i % len(MODULE_WORDS)] + ("" if i < len(MODULE_WORDS) else str(i // len(MODULE_WORDS) + 1))
        modules.append((owner, word))

    n_worker_files = max(len(SHAPES), round(files * worker_share))
    shapes = [list(SHAPES)[i % len(SHAPES)] for i in range(n_worker_files)]
    r.shuffle(shapes)
    per_module: dict[int, list[str]] = {}
    for i, s in enumerate(shapes):
        per_module.setdefault(i % n_modules, []).append(s)

    expected = {"generator": {"files": files, "worker_share": worker_share, "seed": seed},
                "classes": [], "registrations": [], "shapes": {}}
    written = 0
    nbytes = 0
    big = 0
    timerish_files = 0
    lookalikes = 0

    def write(rel: str, text: str) -> None:
        nonlocal written, nbytes
        p = tree / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        p.write_bytes(data)
        if rel.endswith(".cs"):
            written += 1
            nbytes += len(data)

    ordinary_total = files - n_worker_files - n_modules  # one startup per module
    # derived workers need a base file per module that has any
    for mi, shs in per_module.items():
        if "derived_worker" in shs:
            ordinary_total -= 1
    per_module_ordinary = [ordinary_total // n_modules + (1 if i < ordinary_total % n_modules else 0) for i in range(n_modules)]

    for mi, (owner, module) in enumerate(modules):
        root = f"{owner}.Module.{module}"
        write(f"{root}/{root}.sln", sln(owner, module))
        for role in ("Server", "Client", "Shared"):
            write(f"{root}/{role}/{root}.{role}.csproj", csproj(owner, module, role))
        # ordinary files
        for k in range(per_module_ordinary[mi]):
            x = r.random()
            if x < 0.5:
                role, kind = "Server", r.choice(["controller", "repository", "service", "manager"])
            elif x < 0.85:
                role, kind = "Client", r.choice(["razor", "service"])
            else:
                role, kind = "Shared", "model"
            if r.random() < 0.005:
                target = r.randrange(80_000, 300_000)
                big += 1
            else:
                target = int(r.lognormvariate(8.75, 0.7))
            timerish = r.random() < 0.02
            lookalike = r.random() < 0.004
            timerish_files += timerish
            lookalikes += lookalike
            folder = {"controller": "Controllers", "repository": "Repository", "service": "Services",
                      "manager": "Manager", "razor": "Modules", "model": "Models"}[kind]
            ns = f"{root}.{folder}" if r.random() < 0.9 else f"{root}.{folder}.Internal"
            cls, text = g.ordinary(ns, kind, target, timerish, lookalike)
            suffix = ".razor.cs" if kind == "razor" else ".cs"
            write(f"{root}/{role}/{folder}/{cls}{suffix}", text)
        # workers and jobs
        base_name = None
        regs = []
        for shape in per_module.get(mi, []):
            role = "Server" if r.random() > 0.05 else r.choice(["Client", "Shared"])
            ns = f"{root}.{'Jobs' if shape.startswith('job_') else 'Workers'}"
            if shape == "derived_worker" and base_name is None:
                base_name, text, line = g.worker_base(f"{root}.Infrastructure")
                rel = f"{root}/Server/Infrastructure/{base_name}.cs"
                write(rel, text)
                expected["classes"].append({"path": rel, "class": base_name, "shape": "abstract_worker_base",
                                            "line": line, "rules": ["OQJ001", "OQJ002"]})
            cls, text, line = g.worker(shape, ns, base_name, f"{root}.Infrastructure")
            folder = "Jobs" if shape.startswith("job_") else "Workers"
            rel = f"{root}/{role}/{folder}/{cls}.cs"
            write(rel, text)
            rules = list(SHAPES[shape])
            if role != "Server":
                rules.append("OQJ013")
            expected["classes"].append({"path": rel, "class": cls, "shape": shape, "line": line, "rules": rules})
            if not shape.startswith("job_") and r.random() < 0.6:
                regs.append((cls, ns))
        text, lines = g.startup(f"{root}.Startup", regs)
        rel = f"{root}/Server/Startup/ServerStartup.cs"
        write(rel, text)
        for cls, line in lines:
            expected["registrations"].append({"path": rel, "class": cls, "line": line, "rules": ["OQJ014"]})

    shape_counts = Counter(c["shape"] for c in expected["classes"])
    expected["shapes"] = dict(sorted(shape_counts.items()))
    expected["files"] = written
    expected["bytes"] = nbytes
    expected["big_files"] = big
    expected["timer_or_delay_in_non_workers"] = timerish_files
    expected["comment_lookalikes"] = lookalikes
    rule_counts = Counter(rule for c in expected["classes"] + expected["registrations"] for rule in c["rules"])
    expected["expected_rule_counts"] = dict(sorted(rule_counts.items()))
    (tree / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    return expected


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", nargs="?", type=Path, default=DEFAULT_TREE, help=f"output folder (default {DEFAULT_TREE})")
    ap.add_argument("--files", type=int, default=15000, help=".cs files to write (default 15000)")
    ap.add_argument("--worker-share", type=float, default=0.03, help="share of files that are workers/jobs (default 0.03)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    if a.files < 50 or not 0 < a.worker_share < 0.5:
        ap.error("need --files >= 50 and 0 < --worker-share < 0.5")
    e = generate(a.tree, a.files, a.worker_share, a.seed)
    print(f"wrote {e['files']} .cs files, {e['bytes'] / 1e6:.1f} MB ({e['bytes'] / max(1, e['files']) / 1024:.1f} KiB avg, "
          f"{e['big_files']} big) into {a.tree}")
    print(f"non-worker files mentioning Timer/Task.Delay: {e['timer_or_delay_in_non_workers']}, "
          f"comment look-alikes: {e['comment_lookalikes']}")
    print("workers/jobs by shape:")
    for s, n in e["shapes"].items():
        print(f"  {s:24} {n}")
    print(f"  {'manual registrations':24} {len(e['registrations'])}")
    print("expected findings by rule: " + ", ".join(f"{k} {v}" for k, v in e["expected_rule_counts"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
