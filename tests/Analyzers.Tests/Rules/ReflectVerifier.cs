using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// Runs one analyzer over C# with <c>{|WSH00N:…|}</c> markup, against the .NET 8 reference assemblies and the
    /// runtime assembly (so tests can use <c>WebSocketHandoff.HandoffWebSocket</c>).
    /// </summary>
    internal static class ReflectVerifier<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        public static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
            VerifyAsync(new[] { source }, expected);

        public static Task VerifyAsync(string[] sources, params DiagnosticResult[] expected)
        {
            var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
            {
                ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
            };
            test.TestState.AdditionalReferences.Add(
                MetadataReference.CreateFromFile(typeof(WebSocketHandoff.HandoffWebSocket).Assembly.Location));
            for (int i = 0; i < sources.Length; i++)
            {
                test.TestState.Sources.Add(("/0/Test" + i + ".cs", sources[i]));
            }

            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>Like <see cref="VerifyAsync(string, DiagnosticResult[])"/>, for top-level statements (an executable).</summary>
        public static Task VerifyProgramAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
            {
                ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
            };
            test.TestState.OutputKind = OutputKind.ConsoleApplication;
            test.TestState.AdditionalReferences.Add(
                MetadataReference.CreateFromFile(typeof(WebSocketHandoff.HandoffWebSocket).Assembly.Location));
            test.TestState.Sources.Add(source);
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);
    }
}
