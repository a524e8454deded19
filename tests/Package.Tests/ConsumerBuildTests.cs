using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>
    /// A user's project that installs the package: what <c>dotnet build</c> reports, what a CI gate does with it, and
    /// how <c>.editorconfig</c> changes it. One restored consumer, built again for each case.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class ConsumerBuildTests : IAsyncLifetime
    {
        private static readonly string[] HandoffRules = { "WSH001", "WSH002", "WSH003" };

        private readonly PackageFixture _package;
        private ConsumerProject _consumer = null!;

        public ConsumerBuildTests(PackageFixture package) => _package = package;

        public async Task InitializeAsync() => _consumer = await _package.BuildConsumer;

        public Task DisposeAsync() => Task.CompletedTask;

        [Fact]
        public async Task Package_hands_its_analyzers_and_fixes_to_the_consumer_compiler_which_loads_them()
        {
            var items = await _consumer.RunAsync("msbuild", ConsumerProject.ProjectFile, "-t:ResolveLockFileAnalyzers", "-getItem:Analyzer", "-tl:off");
            Assert.True(items.ExitCode == 0, items.ToString());
            using var json = JsonDocument.Parse(items.Output[items.Output.IndexOf('{', StringComparison.Ordinal)..]);
            var analyzers = json.RootElement.GetProperty("Items").GetProperty("Analyzer").EnumerateArray()
                .Select(a => a.GetProperty("FullPath").GetString()!.Replace('\\', '/'))
                .ToList();
            var fromPackage = $"/{PackageFixture.PackageId.ToLowerInvariant()}/{_package.Version}/analyzers/dotnet/cs/";
            Assert.Contains(analyzers, a => a.EndsWith(fromPackage + "WebSocketHandoff.Analyzers.dll", StringComparison.Ordinal));
            Assert.Contains(analyzers, a => a.EndsWith(fromPackage + "WebSocketHandoff.CodeFixes.dll", StringComparison.Ordinal));

            var build = await _consumer.BuildAsync();
            Assert.True(build.ExitCode == 0, build.ToString());
            AssertAnalyzersLoaded(build);
        }

        [Fact]
        public async Task Build_reports_WSH001_WSH002_WSH003_as_warnings_at_the_marked_lines()
        {
            var build = await _consumer.BuildAsync();

            Assert.True(build.ExitCode == 0, build.ToString());
            AssertAnalyzersLoaded(build);
            var expected = ConsumerProject.ExpectedDiagnostics(File.ReadAllText(_consumer.SourcePath))
                .Select(e => new ReportedDiagnostic(e.Id, "warning", ConsumerProject.SourceFile, e.Line))
                .OrderBy(d => d.Line).ThenBy(d => d.Id)
                .ToList();
            Assert.Equal(HandoffRules, expected.Select(e => e.Id).Distinct().OrderBy(id => id));
            var reported = build.Diagnostics.Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal))
                .OrderBy(d => d.Line).ThenBy(d => d.Id)
                .ToList();
            Assert.Equal(expected, reported);
        }

        [Fact]
        public async Task Build_with_warnaserror_fails_naming_each_rule()
        {
            var build = await _consumer.BuildAsync("-warnaserror");

            Assert.NotEqual(0, build.ExitCode);
            AssertAnalyzersLoaded(build);
            foreach (var id in HandoffRules)
            {
                Assert.Contains(build.Diagnostics, d => d.Id == id && d.Severity == "error");
            }
        }

        [Fact]
        public async Task Editorconfig_severity_none_silences_the_rule_and_error_makes_it_an_error()
        {
            var editorconfig = Path.Combine(_consumer.Directory, ".editorconfig");
            try
            {
                File.WriteAllText(editorconfig, "root = true\n\n[*.cs]\ndotnet_diagnostic.WSH001.severity = none\n");
                var silenced = await _consumer.BuildAsync();
                Assert.True(silenced.ExitCode == 0, silenced.ToString());
                AssertAnalyzersLoaded(silenced);
                Assert.DoesNotContain(silenced.Diagnostics, d => d.Id == "WSH001");
                // The other rules keep their default severity.
                Assert.All(silenced.Diagnostics.Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal)), d => Assert.Equal("warning", d.Severity));
                Assert.Contains(silenced.Diagnostics, d => d.Id == "WSH002");
                Assert.Contains(silenced.Diagnostics, d => d.Id == "WSH003");

                File.WriteAllText(editorconfig, "root = true\n\n[*.cs]\ndotnet_diagnostic.WSH001.severity = error\n");
                var gated = await _consumer.BuildAsync();
                Assert.NotEqual(0, gated.ExitCode);
                AssertAnalyzersLoaded(gated);
                var expectedLines = ConsumerProject.ExpectedDiagnostics(File.ReadAllText(_consumer.SourcePath))
                    .Where(e => e.Id == "WSH001").Select(e => e.Line).OrderBy(l => l);
                Assert.Equal(expectedLines, gated.Diagnostics.Where(d => d.Id == "WSH001" && d.Severity == "error").Select(d => d.Line).OrderBy(l => l));
                Assert.DoesNotContain(gated.Diagnostics, d => d.Id == "WSH001" && d.Severity == "warning");
                Assert.All(gated.Diagnostics.Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal) && d.Id != "WSH001"), d => Assert.Equal("warning", d.Severity));
            }
            finally
            {
                File.Delete(editorconfig);
            }
        }

        /// <summary>The compiler loaded every analyzer: no CS8032 (cannot load/instantiate) and no AD0001 (analyzer crashed).</summary>
        internal static void AssertAnalyzersLoaded(DotNetResult build)
        {
            Assert.DoesNotContain("CS8032", build.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("AD0001", build.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("CS9057", build.Output, StringComparison.Ordinal); // analyzer built for a newer compiler
        }
    }
}
