using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>What is inside the .nupkg and .snupkg that <c>dotnet pack -c Release</c> produces.</summary>
    [Collection(PackageCollection.Name)]
    public sealed class PackageLayoutTests
    {
        private static readonly Version MaxRoslynVersion = new(4, 8, 0, 0);

        private static readonly string[] RoslynComponents =
        {
            "analyzers/dotnet/cs/WebSocketHandoff.Analyzers.dll",
            "analyzers/dotnet/cs/WebSocketHandoff.CodeFixes.dll",
        };

        private readonly PackageFixture _package;

        public PackageLayoutTests(PackageFixture package) => _package = package;

        [Fact]
        public void Package_holds_the_runtime_per_framework_and_the_Roslyn_components_for_CSharp()
        {
            var files = PackageFiles(_package.PackagePath);

            var expected = new[]
            {
                "README.md",
                "lib/net8.0/WebSocketHandoff.dll",
                "lib/net8.0/WebSocketHandoff.xml",
                "lib/net10.0/WebSocketHandoff.dll",
                "lib/net10.0/WebSocketHandoff.xml",
            }.Concat(RoslynComponents);
            foreach (var file in expected)
            {
                Assert.Contains(file, files);
            }

            // Nothing else: no Roslyn or other third-party assembly, no analyzers for other languages, no stray TFM.
            var unexpected = files
                .Where(f => !expected.Contains(f))
                .Where(f => f != "WebSocketHandoff.nuspec")
                .Where(f => !f.StartsWith("_rels/", StringComparison.Ordinal)
                    && !f.StartsWith("package/services/", StringComparison.Ordinal)
                    && f != "[Content_Types].xml")
                .ToList();
            Assert.Empty(unexpected);
        }

        [Fact]
        public void Nuspec_describes_the_package_and_depends_on_nothing()
        {
            var nuspec = Nuspec(_package.PackagePath);
            var ns = nuspec.Root!.GetDefaultNamespace();
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            string? Value(string name) => metadata.Element(ns + name)?.Value;

            Assert.Equal(PackageFixture.PackageId, Value("id"));
            Assert.Equal(_package.Version, Value("version"));
            Assert.False(string.IsNullOrWhiteSpace(Value("description")));
            Assert.Contains("websocket", Value("tags") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("analyzers", Value("tags") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("README.md", Value("readme"));

            var license = metadata.Element(ns + "license")!;
            Assert.Equal("expression", license.Attribute("type")?.Value);
            Assert.Equal("MIT", license.Value);

            // The runtime needs only the BCL, and the analyzers' Roslyn is the host's: no dependency at all.
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")?.Value).ToList();
            Assert.Empty(dependencies);
            var groups = metadata.Element(ns + "dependencies")?.Elements(ns + "group")
                .Select(g => g.Attribute("targetFramework")?.Value).OrderBy(t => t).ToList();
            Assert.Equal(new[] { "net10.0", "net8.0" }, groups);
        }

        [Fact]
        public void Package_readme_is_the_repository_readme()
        {
            using var archive = ZipFile.OpenRead(_package.PackagePath);
            using var reader = new StreamReader(archive.GetEntry("README.md")!.Open());
            Assert.Equal(File.ReadAllText(Path.Combine(_package.RepositoryRoot, "README.md")), reader.ReadToEnd());
        }

        [Fact]
        public void Symbol_package_holds_a_pdb_for_each_runtime_assembly()
        {
            Assert.True(File.Exists(_package.SymbolPackagePath), "no .snupkg next to the .nupkg");
            var files = PackageFiles(_package.SymbolPackagePath);
            Assert.Contains("lib/net8.0/WebSocketHandoff.pdb", files);
            Assert.Contains("lib/net10.0/WebSocketHandoff.pdb", files);
        }

        [Fact]
        public void Roslyn_components_target_netstandard20_and_reference_Roslyn_480_at_most()
        {
            // Hosts from the .NET 8 SDK and Visual Studio 2022 17.8 on load Microsoft.CodeAnalysis 4.8; a reference to
            // anything newer makes them skip the analyzer with CS8032.
            using var archive = ZipFile.OpenRead(_package.PackagePath);
            Assert.Contains(AssemblyReferences(archive, RoslynComponents[0]), r => r.Name == "Microsoft.CodeAnalysis");
            foreach (var path in RoslynComponents)
            {
                var references = AssemblyReferences(archive, path);

                var roslyn = references.Where(r => r.Name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)).ToList();
                Assert.All(roslyn, r => Assert.True(
                    r.Version <= MaxRoslynVersion,
                    $"{path} references {r.Name} {r.Version}, newer than {MaxRoslynVersion}"));

                var netstandard = Assert.Single(references, r => r.Name == "netstandard");
                Assert.Equal(new Version(2, 0, 0, 0), netstandard.Version);
                Assert.DoesNotContain(references, r => r.Name == "System.Runtime");
            }
        }

        [Fact]
        public void Analyzer_assembly_does_not_reference_the_workspaces_layer_or_the_runtime()
        {
            // The compiler loads the analyzer assembly without Microsoft.CodeAnalysis.Workspaces (that is the
            // fixes' world), and the analyzers find the helper by metadata name, never by reference.
            using var archive = ZipFile.OpenRead(_package.PackagePath);
            var references = AssemblyReferences(archive, RoslynComponents[0]).Select(r => r.Name).ToList();
            Assert.DoesNotContain("Microsoft.CodeAnalysis.Workspaces", references);
            Assert.DoesNotContain("Microsoft.CodeAnalysis.CSharp.Workspaces", references);
            Assert.DoesNotContain("WebSocketHandoff", references);
        }

        internal static IReadOnlyList<string> PackageFiles(string package)
        {
            using var archive = ZipFile.OpenRead(package);
            return archive.Entries.Select(e => Uri.UnescapeDataString(e.FullName)).ToList();
        }

        private static XDocument Nuspec(string package)
        {
            using var archive = ZipFile.OpenRead(package);
            using var stream = archive.GetEntry(PackageFixture.PackageId + ".nuspec")!.Open();
            return XDocument.Load(stream);
        }

        private static IReadOnlyList<(string Name, Version Version)> AssemblyReferences(ZipArchive archive, string path)
        {
            var entry = archive.GetEntry(path);
            Assert.True(entry is not null, $"{path} is not in the package");
            using var memory = new MemoryStream();
            using (var stream = entry!.Open())
            {
                stream.CopyTo(memory);
            }
            memory.Position = 0;
            using var pe = new PEReader(memory);
            var metadata = pe.GetMetadataReader();
            return metadata.AssemblyReferences
                .Select(h => metadata.GetAssemblyReference(h))
                .Select(r => (metadata.GetString(r.Name), r.Version))
                .ToList();
        }
    }
}
