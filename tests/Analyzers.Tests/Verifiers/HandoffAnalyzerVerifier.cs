using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace WebSocketHandoff.Analyzers.Tests.Verifiers
{
    /// <summary>
    /// Runs one analyzer over test code compiled against .NET 8 reference assemblies and the runtime helper
    /// (<c>WebSocketHandoff.HandoffWebSocket</c>), with <c>{|WSH00N:…|}</c> markup for the expected diagnostics.
    /// </summary>
    internal static class HandoffAnalyzerVerifier<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

        public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>A program with top-level statements.</summary>
        public static Task VerifyProgramAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new Test { TestCode = source };
            test.TestState.OutputKind = OutputKind.ConsoleApplication;
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>Broken or incomplete code: compiler errors are ignored; the analyzer must neither throw (AD0001) nor report.</summary>
        public static Task VerifyBrokenCodeAsync(string source)
        {
            var test = new Test { TestCode = source, CompilerDiagnostics = CompilerDiagnostics.None };
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>
        /// Runs the analyzer over every prefix of <paramref name="source"/> cut at a step of <paramref name="step"/>
        /// characters (code as it is typed) and fails on the first exception the analyzer throws.
        /// </summary>
        public static async Task AssertNoExceptionOnTruncationsAsync(string source, int step)
        {
            var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None))
                .Add(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location));
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer());
            for (var length = 0; length <= source.Length; length += step)
            {
                var text = source.Substring(0, length);
                var compilation = CSharpCompilation.Create(
                    "Truncated",
                    new[] { CSharpSyntaxTree.ParseText(text, path: "Test0.cs") },
                    references,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
                System.Exception? thrown = null;
                var options = new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    (exception, analyzer, diagnostic) => thrown ??= exception,
                    concurrentAnalysis: false,
                    logAnalyzerExecutionTime: false);
                await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
                if (thrown != null)
                {
                    throw new System.InvalidOperationException("Analyzer threw on the first " + length + " characters:\n" + text, thrown);
                }
            }
        }

        /// <summary>The analyzer's diagnostics on <paramref name="source"/>, for tests that read their properties and locations.</summary>
        public static async Task<ImmutableArray<Diagnostic>> GetDiagnosticsAsync(string source)
        {
            var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var compilation = CSharpCompilation.Create(
                "Plan",
                new[] { CSharpSyntaxTree.ParseText(source, path: "Test0.cs") },
                references.Add(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count != 0)
            {
                throw new System.InvalidOperationException("Test code does not compile: " + string.Join("; ", errors));
            }

            var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer()));
            return (await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None))
                .OrderBy(d => d.Location.SourceSpan.Start)
                .ToImmutableArray();
        }

        public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            public Test()
            {
                ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
                TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location));
            }
        }
    }
}
