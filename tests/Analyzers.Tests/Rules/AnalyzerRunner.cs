using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// Compiles C# against the .NET 8 reference assemblies and the runtime assembly and runs analyzers over it directly,
    /// for tests that look at what markup cannot express (diagnostic properties, analyzer exceptions).
    /// </summary>
    internal static class AnalyzerRunner
    {
        private static readonly SemaphoreSlim s_gate = new SemaphoreSlim(1, 1);
        private static ImmutableArray<MetadataReference> s_references;

        public static async Task<ImmutableArray<MetadataReference>> ReferencesAsync()
        {
            await s_gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (s_references.IsDefault)
                {
                    ImmutableArray<MetadataReference> net80 = await ReferenceAssemblies.Net.Net80
                        .ResolveAsync(LanguageNames.CSharp, CancellationToken.None).ConfigureAwait(false);
                    s_references = net80.Add(MetadataReference.CreateFromFile(typeof(WebSocketHandoff.HandoffWebSocket).Assembly.Location));
                }

                return s_references;
            }
            finally
            {
                s_gate.Release();
            }
        }

        public static async Task<CSharpCompilation> CompileAsync(params string[] sources)
        {
            ImmutableArray<MetadataReference> references = await ReferencesAsync().ConfigureAwait(false);
            var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
            return CSharpCompilation.Create(
                "Test",
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: "/0/Test" + i + ".cs")),
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        }

        /// <summary>The analyzer's diagnostics, in source order.</summary>
        public static async Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, params string[] sources)
        {
            CSharpCompilation compilation = await CompileAsync(sources).ConfigureAwait(false);
            ImmutableArray<Diagnostic> diagnostics = await compilation
                .WithAnalyzers(ImmutableArray.Create(analyzer))
                .GetAnalyzerDiagnosticsAsync(CancellationToken.None)
                .ConfigureAwait(false);
            return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        }
    }
}
