using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;

namespace WebSocketHandoff.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// A stand-in for the package's analyzers that emits WSH001, WSH002, WSH003 and WSH006 shaped exactly as
    /// <see cref="Descriptors"/> documents (locations, additional locations, properties), from a deliberately simple
    /// syntactic recipe: the transport is the identifier passed to CreateFromStream, a raw use is a Read/Write/Flush/CopyTo
    /// call on it or a <c>new StreamReader/StreamWriter(transport)</c> after the creation, in the creation's own block.
    /// It lets the fixers be tested against the contract alone; the end-to-end tests use the real analyzers.
    /// A file containing <c>// stub: not fixable</c> gets Fixable = "false"; one containing
    /// <c>// stub: detach at the innermost statement</c> gets the raw use's own statement as the detach point.
    /// On a HandoffWebSocket, a close after a detach statement is WSH002 unless it sits behind an <c>IsDetached</c> test.
    /// </summary>
    // A test double loaded by the test framework, not shipped: the rules for analyzer assemblies do not apply.
#pragma warning disable RS1036, RS1038
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ContractStubAnalyzer : DiagnosticAnalyzer
    {
#pragma warning restore RS1036, RS1038
        private static readonly string[] RawPrefixes = { "Read", "Write", "Flush", "CopyTo" };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.RawTransportUse, Descriptors.CloseDuringHandoff, Descriptors.KeepAliveOnHandoff, Descriptors.NonAtomicFinalSend);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            // Per method, so every diagnostic lies inside the node analyzed (a local diagnostic, as a fix requires).
            context.RegisterSyntaxNodeAction(
                c =>
                {
                    foreach (var creation in c.Node.DescendantNodes().OfType<InvocationExpressionSyntax>())
                    {
                        AnalyzeCreation(c, creation);
                    }
                },
                SyntaxKind.MethodDeclaration);
        }

        private static void AnalyzeCreation(SyntaxNodeAnalysisContext context, InvocationExpressionSyntax creation)
        {
            if (!(context.SemanticModel.GetSymbolInfo(creation).Symbol is IMethodSymbol method) || method.Name != "CreateFromStream")
            {
                return;
            }

            var typeName = method.ContainingType.ToDisplayString();
            var isBcl = typeName == Types.WebSocket || typeName == Types.WebSocketProtocol;
            if (!isBcl && typeName != Types.HandoffWebSocket)
            {
                return;
            }

            var creationStatement = creation.FirstAncestorOrSelf<StatementSyntax>();
            if (creationStatement?.Parent is not BlockSyntax block)
            {
                return;
            }

            var webSocket = GetAssignedSymbol(context.SemanticModel, creation);
            var later = block.Statements.SkipWhile(s => s != creationStatement).Skip(1).ToList();
            var canAwait = creation.Ancestors().OfType<MethodDeclarationSyntax>().FirstOrDefault()?.Modifiers.Any(SyntaxKind.AsyncKeyword) == true;
            if (isBcl)
            {
                ReportPlan(context, creation, later, webSocket, canAwait);
            }
            else if (webSocket != null)
            {
                ReportHandoffRules(context, creation, later, webSocket, canAwait);
            }
        }

        private static void ReportPlan(SyntaxNodeAnalysisContext context, InvocationExpressionSyntax creation, List<StatementSyntax> later, ISymbol? webSocket, bool canAwait)
        {
            var model = context.SemanticModel;
            if (!(creation.ArgumentList.Arguments.FirstOrDefault()?.Expression is IdentifierNameSyntax transportName)
                || model.GetSymbolInfo(transportName).Symbol is not ISymbol transport)
            {
                return;
            }

            // Raw uses: (the use reported, the root expression), in source order.
            var uses = new List<(SyntaxNode Use, ExpressionSyntax Root, StatementSyntax Statement)>();
            foreach (var statement in later)
            {
                foreach (var node in statement.DescendantNodesAndSelf())
                {
                    if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
                        && RawPrefixes.Any(p => access.Name.Identifier.ValueText.StartsWith(p, System.StringComparison.Ordinal))
                        && IsSymbol(model, access.Expression, transport))
                    {
                        uses.Add((invocation, access.Expression, statement));
                    }
                    else if (node is ObjectCreationExpressionSyntax objectCreation
                        && (objectCreation.Type.ToString() == "StreamReader" || objectCreation.Type.ToString() == "StreamWriter")
                        && objectCreation.ArgumentList?.Arguments.FirstOrDefault()?.Expression is ExpressionSyntax argument
                        && IsSymbol(model, argument, transport))
                    {
                        uses.Add((objectCreation, argument, statement));
                    }
                }
            }

            if (uses.Count == 0)
            {
                return;
            }

            var detachBefore = creation.SyntaxTree.ToString().Contains("// stub: detach at the innermost statement")
                ? uses[0].Use.FirstAncestorOrSelf<StatementSyntax>()!
                : uses[0].Statement;
            var closes = webSocket is null
                ? new List<InvocationExpressionSyntax>()
                : later.SkipWhile(s => s != uses[0].Statement)
                    .SelectMany(s => s.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
                    .Where(i => i.Expression is MemberAccessExpressionSyntax access
                        && (access.Name.Identifier.ValueText == "CloseAsync" || access.Name.Identifier.ValueText == "CloseOutputAsync")
                        && IsSymbol(model, access.Expression, webSocket))
                    .ToList();

            var locations = new List<Location> { creation.GetLocation(), detachBefore.GetLocation() };
            locations.AddRange(uses.Select(u => u.Root.GetLocation()));
            locations.AddRange(closes.Select(c => c.GetLocation()));
            var fixable = webSocket != null && !creation.SyntaxTree.ToString().Contains("// stub: not fixable");
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(Descriptors.PropertyCreationKind, Descriptors.CreationKindBcl)
                .Add(Descriptors.PropertyCanAwait, canAwait ? "true" : "false")
                .Add(Descriptors.PropertyRootCount, uses.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(Descriptors.PropertyCloseCount, closes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(Descriptors.PropertyFixable, fixable ? "true" : "false");

            foreach (var use in uses)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.RawTransportUse, use.Use.GetLocation(), locations, properties, use.Use.ToString()));
            }

            var keepAlive = creation.ArgumentList.Arguments.Count == 4 ? creation.ArgumentList.Arguments[3].Expression.ToString() : "TimeSpan.Zero";
            if (keepAlive != "TimeSpan.Zero")
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.KeepAliveOnHandoff, creation.GetLocation(), locations, properties));
            }

            foreach (var close in closes)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.CloseDuringHandoff, close.GetLocation(), locations, properties.Add(Descriptors.PropertyCloseKind, "Close"), close.ToString()));
            }
        }

        private static void ReportHandoffRules(SyntaxNodeAnalysisContext context, InvocationExpressionSyntax creation, List<StatementSyntax> later, ISymbol webSocket, bool canAwait)
        {
            var model = context.SemanticModel;
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(Descriptors.PropertyCreationKind, Descriptors.CreationKindHandoff)
                .Add(Descriptors.PropertyCanAwait, canAwait ? "true" : "false");
            var detached = false;
            for (var i = 0; i < later.Count; i++)
            {
                foreach (var invocation in later[i].DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
                {
                    if (invocation.Expression is not MemberAccessExpressionSyntax access || !IsSymbol(model, access.Expression, webSocket))
                    {
                        continue;
                    }

                    var name = access.Name.Identifier.ValueText;
                    if (detached && (name == "CloseAsync" || name == "CloseOutputAsync") && !IsGuardedByIsDetached(invocation))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.CloseDuringHandoff, invocation.GetLocation(), new[] { creation.GetLocation() },
                            properties.Add(Descriptors.PropertyCloseKind, "Close"), invocation.ToString()));
                    }
                    else if (name == "SendAsync" && i + 1 < later.Count && IsFinal(invocation)
                        && FindDetach(model, later[i + 1], webSocket) is (InvocationExpressionSyntax detach, string kind))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.NonAtomicFinalSend, invocation.GetLocation(), new[] { detach.GetLocation() },
                            properties.Add(Descriptors.PropertyDetachKind, kind)));
                    }
                }

                detached |= FindDetach(model, later[i], webSocket) != null;
            }
        }

        /// <summary>As the real analyzers: a close on the not-detached side of an <c>IsDetached</c> test is not reported.</summary>
        private static bool IsGuardedByIsDetached(SyntaxNode close)
        {
            for (var node = close; node.Parent != null; node = node.Parent)
            {
                if ((node.Parent is IfStatementSyntax guard && guard.Statement == node && guard.Condition.ToString().Contains("IsDetached"))
                    || (node.Parent is ConditionalExpressionSyntax conditional && conditional.WhenFalse == node && conditional.Condition.ToString().Contains("IsDetached")))
                {
                    return true;
                }
            }

            return false;
        }

        private static (InvocationExpressionSyntax, string)? FindDetach(SemanticModel model, StatementSyntax statement, ISymbol webSocket)
        {
            foreach (var invocation in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
            {
                if (invocation.Expression is MemberAccessExpressionSyntax access
                    && (access.Name.Identifier.ValueText is "DetachAsync" or "Detach" or "SendAndDetachAsync")
                    && IsSymbol(model, access.Expression, webSocket))
                {
                    return (invocation, access.Name.Identifier.ValueText);
                }
            }

            return null;
        }

        private static bool IsFinal(InvocationExpressionSyntax send) =>
            send.ArgumentList.Arguments.Count >= 3
            && send.ArgumentList.Arguments.Any(a => a.Expression.ToString() is "true" or "WebSocketMessageFlags.EndOfMessage");

        private static ISymbol? GetAssignedSymbol(SemanticModel model, InvocationExpressionSyntax creation) => creation.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } => model.GetDeclaredSymbol(declarator),
            AssignmentExpressionSyntax assignment when assignment.Right == creation => model.GetSymbolInfo(assignment.Left).Symbol,
            _ => null,
        };

        private static bool IsSymbol(SemanticModel model, ExpressionSyntax expression, ISymbol symbol) =>
            SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression).Symbol, symbol);
    }
}
