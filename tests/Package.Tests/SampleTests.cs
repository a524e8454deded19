using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>The README's first command, on the bundled sample: its build output and its run.</summary>
    [Collection(PackageCollection.Name)]
    public sealed class SampleTests
    {
        private readonly PackageFixture _package;

        public SampleTests(PackageFixture package) => _package = package;

        [Fact(Skip = Pending.AnalyzersAndRuntime)]
        public async Task Sample_shows_the_rules_on_the_unsafe_bridge_only_and_the_helper_bridge_delivers_every_byte()
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

            var run = await DotNet.RunAsync(_package.RepositoryRoot, Path.Combine("samples", "Bridge", "bin", "Debug", "net10.0", "Bridge.dll"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("every byte delivered", run.Output, StringComparison.Ordinal);
        }
    }
}
