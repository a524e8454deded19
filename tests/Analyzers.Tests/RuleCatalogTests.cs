using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>Tests about the rules themselves: every ID has a doc page, a help link to it, a release-tracking entry and a README row.</summary>
    public class RuleCatalogTests
    {
        public static IEnumerable<object[]> Ids => AnalyzerCatalog.DiagnosticIds();

        [Fact]
        public void The_analyzer_assembly_exposes_rules()
        {
            Assert.NotEmpty(AnalyzerCatalog.Descriptors());
        }

        [Fact]
        public void Each_ID_has_one_descriptor_across_analyzers()
        {
            var byId = AnalyzerCatalog.CreateAnalyzers()
                .SelectMany(a => a.SupportedDiagnostics)
                .GroupBy(d => d.Id, StringComparer.Ordinal);
            foreach (var group in byId)
            {
                Assert.True(
                    group.Select(d => (d.Title.ToString(), d.MessageFormat.ToString(), d.Category, d.DefaultSeverity)).Distinct().Count() == 1,
                    group.Key + " is exposed with different descriptors");
            }
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void Rule_is_a_Reliability_warning_enabled_by_default(string id)
        {
            DiagnosticDescriptor descriptor = Find(id);
            Assert.Equal("Reliability", descriptor.Category);
            Assert.Equal(RuleIdentifiers.Category, descriptor.Category);
            Assert.Equal(DiagnosticSeverity.Warning, descriptor.DefaultSeverity);
            Assert.True(descriptor.IsEnabledByDefault);
            Assert.Matches("^WSH[0-9]{3}$", id);
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void Rule_has_a_doc_page(string id)
        {
            string page = Path.Combine(AnalyzerCatalog.RepositoryRoot(), "docs", "rules", id + ".md");
            Assert.True(File.Exists(page), "missing " + page);

            string text = File.ReadAllText(page);
            string firstLine = text.Split('\n')[0];
            Assert.StartsWith("# " + id, firstLine, StringComparison.Ordinal);
            Assert.Contains("dotnet_diagnostic." + id + ".severity", text, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void Help_link_points_at_the_doc_page(string id)
        {
            DiagnosticDescriptor descriptor = Find(id);
            Assert.Equal(RuleIdentifiers.GetHelpUri(id), descriptor.HelpLinkUri);
            Assert.EndsWith("docs/rules/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttps, descriptor.HelpLinkUri);
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void Rule_has_a_release_tracking_entry_with_its_category_and_severity(string id)
        {
            DiagnosticDescriptor descriptor = Find(id);
            string folder = Path.Combine(AnalyzerCatalog.RepositoryRoot(), "src", "Analyzers");
            var entries = new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" }
                .Select(f => Path.Combine(folder, f))
                .Where(File.Exists)
                .SelectMany(File.ReadAllLines)
                .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
                .Where(cells => cells.Length >= 3 && cells[0] == id)
                .ToList();

            Assert.True(entries.Count > 0, id + " is in neither AnalyzerReleases.Shipped.md nor AnalyzerReleases.Unshipped.md");
            Assert.All(entries, cells =>
            {
                Assert.Equal(descriptor.Category, cells[1]);
                Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
            });
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void README_has_a_row_for_the_rule(string id)
        {
            string readme = Path.Combine(AnalyzerCatalog.RepositoryRoot(), "README.md");
            Assert.True(File.Exists(readme), "missing " + readme);
            // The same address as the diagnostic's help link: absolute, so that it also resolves on the package's nuget.org page.
            string row = "| [" + id + "](" + RuleIdentifiers.GetHelpUri(id) + ") |";
            Assert.True(
                File.ReadAllLines(readme).Any(line => line.TrimStart().StartsWith(row, StringComparison.Ordinal)),
                "README.md has no rules-table row starting '" + row + "'");
        }

        private static DiagnosticDescriptor Find(string id) =>
            AnalyzerCatalog.Descriptors().Single(d => d.Id == id);
    }

    /// <summary>Every analyzer of the analyzer assembly, found by reflection, and the repository the tests run in.</summary>
    internal static class AnalyzerCatalog
    {
        public static Assembly AnalyzerAssembly => typeof(Descriptors).Assembly;

        public static ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers() =>
            AnalyzerAssembly.GetTypes()
                .Where(t => !t.IsAbstract
                    && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)
                    && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();

        public static ImmutableArray<DiagnosticDescriptor> Descriptors() =>
            CreateAnalyzers()
                .SelectMany(a => a.SupportedDiagnostics)
                .GroupBy(d => d.Id, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderBy(d => d.Id, StringComparer.Ordinal)
                .ToImmutableArray();

        public static IEnumerable<object[]> DiagnosticIds() => Descriptors().Select(d => new object[] { d.Id });

        public static IEnumerable<object[]> AnalyzerNames() => CreateAnalyzers().Select(a => new object[] { a.GetType().Name });

        /// <summary>The folder holding Analyzers.sln, found by walking up from the test assembly.</summary>
        public static string RepositoryRoot()
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Analyzers.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("No Analyzers.sln above " + AppContext.BaseDirectory + "; run the tests from the repository.");
        }
    }
}
