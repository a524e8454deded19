using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// Fix All at solution scope driven the way <c>dotnet format analyzers</c> drives it: one rule at a time, the equivalence
    /// key taken from the first diagnostic's fix (or none), all diagnostics of the solution handed over at once.
    /// </summary>
    public class SolutionFixAllTests
    {
        private const string Bridge = """
            using System;
            using System.IO;
            using System.Net.WebSockets;
            using System.Threading;
            using System.Threading.Tasks;

            class Bridge
            {
                async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                    await ws.ReceiveAsync(buffer, ct);
                    await stream.WriteAsync(buffer, ct);
                    await stream.FlushAsync(ct);
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                }
            }
            """;

        private const string Tunnel = """
            using System;
            using System.IO;
            using System.Net.WebSockets;
            using WebSocketHandoff;

            class Tunnel
            {
                HandoffWebSocket? _last;

                void Run(Stream stream, byte[] buffer)
                {
                    WebSocket ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                    stream.Write(buffer, 0, buffer.Length);
                }
            }
            """;

        // A close in a finally, reached with and without the detach: guarded, and then no longer reported.
        private const string Guarded = """
            using System;
            using System.IO;
            using System.Net.WebSockets;
            using System.Threading;
            using System.Threading.Tasks;

            class Guarded
            {
                async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                    try
                    {
                        if (upgrade)
                        {
                            await stream.WriteAsync(buffer, ct);
                        }
                    }
                    finally
                    {
                        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    }
                }
            }
            """;

        [Theory]
        [InlineData(RuleIdentifiers.RawTransportUse, true)]
        [InlineData(RuleIdentifiers.RawTransportUse, false)]
        [InlineData(RuleIdentifiers.CloseDuringHandoff, true)]
        [InlineData(RuleIdentifiers.KeepAliveOnHandoff, false)]
        public async Task Fix_all_in_solution_of_one_plan_rule_fixes_every_creation_and_leaves_compiling_code_with_no_flow_diagnostic(string firstRule, bool useFirstFixKey)
        {
            using var workspace = new AdhocWorkspace();
            var solution = await CreateSolutionAsync(workspace, ("Bridge.cs", Bridge), ("Tunnel.cs", Tunnel), ("Guarded.cs", Guarded));

            // Each rule's Fix All carries out every plan it sees (WSH001 sees every creation; WSH002 Bridge's and Guarded's;
            // WSH003 only Bridge's),
            // so the rules after it find only what it could not see.
            var rules = new[] { firstRule, RuleIdentifiers.RawTransportUse, RuleIdentifiers.CloseDuringHandoff, RuleIdentifiers.KeepAliveOnHandoff };
            var fixedCount = 0;
            foreach (var rule in rules)
            {
                CodeFixProvider fixer = rule == RuleIdentifiers.CloseDuringHandoff ? new CloseDuringHandoffCodeFixProvider() : new UseHandoffWebSocketCodeFixProvider();
                var (next, fixedAny) = await FixRuleAsync(solution, fixer, rule, useFirstFixKey);
                solution = next;
                fixedCount += fixedAny ? 1 : 0;
            }

            Assert.Equal(firstRule == RuleIdentifiers.RawTransportUse ? 1 : 2, fixedCount);

            var project = solution.Projects.Single();
            var compilation = (await project.GetCompilationAsync())!;
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Empty(await GetDiagnosticsAsync(project));

            foreach (var document in project.Documents)
            {
                var text = (await document.GetTextAsync()).ToString();
                Assert.Single(text.Split('\n'), line => line.Trim() == "using WebSocketHandoff;");
                Assert.Contains("HandoffWebSocket.CreateFromStream(stream", text, System.StringComparison.Ordinal);
                Assert.Contains("raw.", text, System.StringComparison.Ordinal);
            }

            var guarded = (await project.Documents.Single(d => d.Name == "Guarded.cs").GetTextAsync()).ToString();
            Assert.Contains("if (!ws.IsDetached)", guarded, System.StringComparison.Ordinal);
            Assert.Contains("await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);", guarded, System.StringComparison.Ordinal);
        }

        private static async Task<Solution> CreateSolutionAsync(AdhocWorkspace workspace, params (string Name, string Text)[] sources)
        {
            var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var project = workspace.CurrentSolution
                .AddProject("App", "App", LanguageNames.CSharp)
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
                .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
                .AddMetadataReferences(references)
                .AddMetadataReference(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location));
            foreach (var (name, text) in sources)
            {
                project = project.AddDocument(name, SourceText.From(text), filePath: "/src/" + name).Project;
            }

            return project.Solution;
        }

        private static async Task<ImmutableArray<Diagnostic>> GetDiagnosticsAsync(Project project)
        {
            var compilation = (await project.GetCompilationAsync())!;
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
                new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer());
            return await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        }

        private static async Task<(Solution Solution, bool FixedAny)> FixRuleAsync(Solution solution, CodeFixProvider fixer, string id, bool useFirstFixKey)
        {
            var project = solution.Projects.Single();
            var diagnostics = (await GetDiagnosticsAsync(project)).Where(d => d.Id == id).ToImmutableArray();
            if (diagnostics.IsEmpty)
            {
                return (solution, false);
            }

            var first = diagnostics[0];
            var document = solution.GetDocument(first.Location.SourceTree)!;
            string? key = null;
            if (useFirstFixKey)
            {
                CodeAction? action = null;
                await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, first, (a, _) => action ??= a, CancellationToken.None));
                Assert.NotNull(action);
                key = action!.EquivalenceKey;
            }

            var context = new FixAllContext(
                document, fixer, FixAllScope.Solution, key!, new[] { id }, new Provider(diagnostics), CancellationToken.None);
            Assert.Contains(FixAllScope.Solution, fixer.GetFixAllProvider()!.GetSupportedFixAllScopes());
            var fixAll = await fixer.GetFixAllProvider()!.GetFixAsync(context);
            Assert.NotNull(fixAll);
            var operations = await fixAll!.GetOperationsAsync(CancellationToken.None);
            return (operations.OfType<ApplyChangesOperation>().Single().ChangedSolution, true);
        }

        private sealed class Provider : FixAllContext.DiagnosticProvider
        {
            private readonly ImmutableArray<Diagnostic> _diagnostics;

            public Provider(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

            public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            {
                var tree = await document.GetSyntaxTreeAsync(cancellationToken);
                return _diagnostics.Where(d => d.Location.SourceTree == tree);
            }

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult(Enumerable.Empty<Diagnostic>());
        }
    }
}
