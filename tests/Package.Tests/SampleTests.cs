using System;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>The README's first command, on the bundled sample: its build output and its run.</summary>
    [Collection(PackageCollection.Name)]
    public sealed class SampleTests
    {
        private readonly PackageFixture _package;

        public SampleTests(PackageFixture package) => _package = package;

        [Fact]
        public async Task Sample_build_shows_WSH001_WSH002_WSH003_on_the_unsafe_bridge_only()
        {
            // Rebuild the sample alone (its dependencies are built by this test project's build) so the compiler runs
            // and reports again.
            var project = Path.Combine("samples", "Bridge", "Bridge.csproj");
            var build = await DotNet.RunAsync(_package.RepositoryRoot, "build", project, "--no-dependencies", "--no-incremental", "-tl:off", "-clp:NoSummary");

            Assert.True(build.ExitCode == 0, build.ToString());
            ConsumerBuildTests.AssertAnalyzersLoaded(build);
            var rules = build.Diagnostics.Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal)).ToList();
            Assert.All(rules, d => Assert.Equal("warning", d.Severity));
            Assert.All(rules, d => Assert.Equal("UnsafeBridge.cs", d.File));
            foreach (var id in new[] { "WSH001", "WSH002", "WSH003" })
            {
                Assert.Contains(rules, d => d.Id == id);
            }
        }

        [Fact]
        public async Task Sample_run_measures_the_unsafe_bridge_and_the_helper_bridge_delivers_every_byte()
        {
            // The sample as this test project's build left it (built with the solution, as `dotnet run` would).
            var run = await DotNet.RunAsync(_package.RepositoryRoot, Path.Combine("samples", "Bridge", "bin", "Debug", "net10.0", "Bridge.dll"));

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("UnsafeBridge", run.Output, StringComparison.Ordinal);
            Assert.Contains("HandoffBridge", run.Output, StringComparison.Ordinal);
            Assert.Contains("every byte delivered, in order, both ways", run.Output, StringComparison.Ordinal);

            // The unsafe bridge's numbers are measured, not printed from constants: its Close frame alone lands in the raw stream.
            var unsafeOutcome = Regex.Match(run.Output, @"=> (?<lost>\d+) bytes lost, (?<injected>\d+) bytes injected");
            Assert.True(unsafeOutcome.Success, run.ToString());
            Assert.True(int.Parse(unsafeOutcome.Groups["injected"].Value, CultureInfo.InvariantCulture) > 0, run.ToString());
        }
    }
}
