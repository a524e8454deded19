using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>
    /// The package's code fixes applied by <c>dotnet format analyzers</c> (the same fixes an IDE offers), and the fixed
    /// program run: it must build clean and hand a live loopback connection off byte-exact.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class CodeFixTests
    {
        private readonly PackageFixture _package;

        public CodeFixTests(PackageFixture package) => _package = package;

        [Fact]
        public async Task Format_applies_the_fixes_then_the_build_is_clean_and_the_handoff_is_byte_exact()
        {
            // Its own copy: this test rewrites the source.
            var consumer = await _package.CreateConsumerAsync("fix");
            var before = File.ReadAllText(consumer.SourcePath);

            var format = await consumer.RunAsync(
                "format", "analyzers", ConsumerProject.ProjectFile,
                "--diagnostics", "WSH001", "WSH002", "WSH003",
                "--severity", "warn",
                "--no-restore", "-v", "diag");
            Assert.True(format.ExitCode == 0, format.ToString());

            var after = File.ReadAllText(consumer.SourcePath);
            Assert.NotEqual(before, after);
            Assert.Contains("HandoffWebSocket.CreateFromStream(", after, StringComparison.Ordinal);
            Assert.Contains(".DetachAsync(", after, StringComparison.Ordinal);
            Assert.Contains("using WebSocketHandoff;", after, StringComparison.Ordinal);
            Assert.DoesNotContain("CloseOutputAsync", after, StringComparison.Ordinal);

            var build = await consumer.BuildAsync();
            Assert.True(build.ExitCode == 0, build.ToString() + "\n--- fixed source ---\n" + after);
            ConsumerBuildTests.AssertAnalyzersLoaded(build);
            Assert.DoesNotContain(build.Diagnostics, d => d.Id.StartsWith("WSH", StringComparison.Ordinal));

            // The fixed server gets every raw byte that came with the UPGRADE frame and writes no WebSocket byte into
            // the raw stream: the client's check fails on a single byte lost or injected.
            var run = await consumer.RunAsync("bin/Debug/net8.0/Consumer.dll");
            Assert.True(run.ExitCode == 0, run.ToString() + "\n--- fixed source ---\n" + after);
            Assert.Contains("handoff ok", run.Output, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Format_verify_no_changes_fails_on_the_unsafe_code()
        {
            // What a CI gate runs: 'dotnet format analyzers --verify-no-changes' exits non-zero while a fix applies.
            var consumer = await _package.BuildConsumer;
            var before = File.ReadAllText(consumer.SourcePath);

            var verify = await consumer.RunAsync(
                "format", "analyzers", ConsumerProject.ProjectFile,
                "--diagnostics", "WSH001", "WSH002", "WSH003",
                "--severity", "warn", "--verify-no-changes", "--no-restore");

            Assert.NotEqual(0, verify.ExitCode);
            Assert.Contains("WSH00", verify.Output, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllText(consumer.SourcePath));
        }
    }
}
