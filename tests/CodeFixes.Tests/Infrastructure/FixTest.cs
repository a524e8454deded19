using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace WebSocketHandoff.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// A code-fix test over .NET 8 reference assemblies plus the runtime assembly (unless <c>withRuntime</c> is false),
    /// with the given analyzers. The fixed state is compiled: any compiler error in it fails the test.
    /// </summary>
    internal sealed class FixTest<TFixer> : CSharpCodeFixTest<ContractStubAnalyzer, TFixer, DefaultVerifier>
        where TFixer : CodeFixProvider, new()
    {
        private readonly Func<IEnumerable<DiagnosticAnalyzer>> _analyzers;

        public FixTest(bool withRuntime = true, Func<IEnumerable<DiagnosticAnalyzer>>? analyzers = null)
        {
            _analyzers = analyzers ?? (() => new DiagnosticAnalyzer[] { new ContractStubAnalyzer() });
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
            if (withRuntime)
            {
                TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location));
            }
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => _analyzers();
    }
}
