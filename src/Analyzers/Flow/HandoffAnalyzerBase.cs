using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The opening every flow rule shares: concurrent, generated members left out (<see cref="GeneratedCode"/>), types
    /// resolved once per compilation, nothing registered without <c>System.Net.WebSockets.WebSocket</c>. Per type (transports in fields make the question
    /// span members), operation blocks are collected only in files that mention a creation or a detach, and analyzed
    /// when the type ends — once for the four rules (<see cref="SharedHandoffAnalyses"/>).
    /// </summary>
    internal abstract class HandoffAnalyzerBase : DiagnosticAnalyzer
    {
        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // Generated code is skipped here, not by the driver: see GeneratedCode for why.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(compilationStart =>
            {
                // Shared with the other flow rules: types, precheck and each type's analysis are done once per compilation.
                var shared = SharedHandoffAnalyses.For(compilationStart.Compilation);
                var types = shared.Types;
                if (types == null)
                {
                    return;
                }

                var precheck = shared.Precheck;
                var generated = shared.GeneratedCodeFor(compilationStart.Options);
                compilationStart.RegisterSymbolStartAction(
                    symbolStart =>
                    {
                        var type = (INamedTypeSymbol)symbolStart.Symbol;
                        if (GeneratedCode.HasGeneratedCodeAttribute(type) || !precheck.TypeMayHandoff(type, symbolStart.CancellationToken))
                        {
                            return;
                        }

                        var members = new ConcurrentQueue<MemberBody>();
                        symbolStart.RegisterCodeBlockAction(block =>
                        {
                            // Syntax only: the operation tree of a member is built later, and only for a member whose
                            // text names a creation or a detach (or a transport field another member creates from).
                            if (block.CodeBlock == null
                                || generated.IsGeneratedMember(block.OwningSymbol, block.CodeBlock.SyntaxTree, block.CancellationToken))
                            {
                                return;
                            }

                            members.Enqueue(new MemberBody(block.OwningSymbol, block.CodeBlock, block.SemanticModel));
                        });
                        symbolStart.RegisterSymbolEndAction(symbolEnd =>
                        {
                            if (members.IsEmpty)
                            {
                                return;
                            }

                            // Operation blocks arrive concurrently: source order makes the results (and which plan a
                            // raw use reached by two creations carries) the same on every run.
                            var ordered = new List<MemberBody>(members);
                            ordered.Sort((a, b) =>
                            {
                                var byFile = string.CompareOrdinal(a.Syntax.SyntaxTree.FilePath, b.Syntax.SyntaxTree.FilePath);
                                return byFile != 0 ? byFile : a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart);
                            });
                            var analysis = shared.GetAnalysis(type, ordered, symbolEnd.CancellationToken);
                            Report(analysis, types, symbolEnd);
                        });
                    },
                    SymbolKind.NamedType);
            });
        }

        protected abstract void Report(HandoffAnalysis analysis, HandoffTypes types, SymbolAnalysisContext context);

        /// <summary>The short text of a call (<c>stream.WriteAsync</c>) or creation (<c>new StreamReader</c>) for a message.</summary>
        protected static string Display(SyntaxNode node)
        {
            switch (node)
            {
                case Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation:
                    return invocation.Expression.ToString();
                case Microsoft.CodeAnalysis.CSharp.Syntax.ObjectCreationExpressionSyntax creation:
                    return "new " + creation.Type;
                default:
                    var text = node.ToString();
                    return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
            }
        }
    }
}
