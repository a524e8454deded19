using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>
    /// Packs the repository's package once per test run into a local feed in a temporary directory, with a version
    /// no earlier run used: NuGet's global cache can then never hand back a stale copy, while every other package
    /// still comes from that cache (restores stay fast and work offline).
    /// </summary>
    public sealed class PackageFixture : IAsyncLifetime
    {
        public const string PackageId = "WebSocketHandoff";

        public string RepositoryRoot { get; } = FindRepositoryRoot();

        public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "wsh-package-tests-" + Guid.NewGuid().ToString("N")[..12]);

        public string FeedDirectory => Path.Combine(WorkDirectory, "feed");

        /// <summary>A version unique to this run (SemVer prerelease of the repository's version).</summary>
        public string Version { get; } = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "." + Environment.ProcessId;

        public string PackagePath => Path.Combine(FeedDirectory, $"{PackageId}.{Version}.nupkg");

        public string SymbolPackagePath => Path.Combine(FeedDirectory, $"{PackageId}.{Version}.snupkg");

        internal DotNetResult Pack { get; private set; } = null!;

        private Task<ConsumerProject>? _buildConsumer;

        /// <summary>The consumer the build tests share (they only add and remove an .editorconfig), restored once.</summary>
        public Task<ConsumerProject> BuildConsumer => _buildConsumer ??= CreateConsumerAsync("build");

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(FeedDirectory);
            Pack = await DotNet.RunAsync(
                RepositoryRoot,
                "pack", Path.Combine("src", "Runtime", "WebSocketHandoff.csproj"),
                "-c", "Release",
                "-o", FeedDirectory,
                "-p:PackageVersion=" + Version,
                "-tl:off", "-nologo");
            if (Pack.ExitCode != 0 || !File.Exists(PackagePath))
            {
                throw new InvalidOperationException("dotnet pack failed:\n" + Pack);
            }
        }

        /// <summary>
        /// Writes a fresh consumer project (net8.0, rolling forward to the installed runtime) that references the
        /// packed package from the local feed, and restores it.
        /// </summary>
        public async Task<ConsumerProject> CreateConsumerAsync(string name)
        {
            var directory = Path.Combine(WorkDirectory, name);
            var template = Path.Combine(AppContext.BaseDirectory, "Consumer");
            Directory.CreateDirectory(directory);
            foreach (var file in Directory.GetFiles(template))
            {
                var text = File.ReadAllText(file).Replace("$(WebSocketHandoffVersion)", Version, StringComparison.Ordinal);
                File.WriteAllText(Path.Combine(directory, Path.GetFileName(file)), text);
            }

            // Stop MSBuild and NuGet from reaching above the temporary directory, and add the local feed to the
            // user's sources (which still serve the framework packages the consumer needs).
            File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local-feed" value="{FeedDirectory}" />
                  </packageSources>
                </configuration>
                """);

            var consumer = new ConsumerProject(directory);
            var restore = await consumer.RunAsync("restore", "-tl:off");
            if (restore.ExitCode != 0)
            {
                throw new InvalidOperationException("The consumer did not restore from the local feed:\n" + restore);
            }
            return consumer;
        }

        public Task DisposeAsync()
        {
            TryDelete(WorkDirectory);
            // This run's version is in NuGet's global cache now; no later run can use it.
            var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            TryDelete(Path.Combine(globalPackages, PackageId.ToLowerInvariant(), Version));
            return Task.CompletedTask;
        }

        private static void TryDelete(string directory)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static string FindRepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (directory.GetFiles("Analyzers.sln").Any())
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException("Analyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }

    [CollectionDefinition(Name)]
    public sealed class PackageCollection : ICollectionFixture<PackageFixture>
    {
        // The tests share one pack and run one after another: they drive the same CLI on two shared cores.
        public const string Name = "Package";
    }
}
