using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The handoff plan of one creation (see the remarks on <see cref="Descriptors"/>): the additional locations and
    /// properties every WSH001/WSH003/WSH002-on-BCL diagnostic about that creation carries, identical in each.
    /// </summary>
    internal sealed class HandoffPlan
    {
        private HandoffPlan(ImmutableArray<Location> additionalLocations, ImmutableDictionary<string, string?> properties)
        {
            AdditionalLocations = additionalLocations;
            Properties = properties;
        }

        public ImmutableArray<Location> AdditionalLocations { get; }

        public ImmutableDictionary<string, string?> Properties { get; }

        public static HandoffPlan For(CreationResult creation)
        {
            // The analysis is shared by the analyzers, which may ask at once: Build only reads, and one plan is published.
            var plan = Volatile.Read(ref creation.PlanSlot);
            if (plan != null)
            {
                return plan;
            }

            plan = Build(creation);
            return Interlocked.CompareExchange(ref creation.PlanSlot, plan, null) ?? plan;
        }

        private static HandoffPlan Build(CreationResult creation)
        {
            var creationSyntax = creation.Creation.Syntax;
            var rawUses = creation.LiveRawUses;
            var bodyUses = rawUses.Where(u => u.Graph == creation.Graph).Select(u => u.Event.Syntax).ToList();
            var creationStatement = StatementInBlock(creationSyntax);

            var detachStatement = bodyUses.Count > 0 ? DetachPoint(bodyUses, creationStatement) : null;
            var detachStatementFits = detachStatement != null
                && InScopeOf(creationStatement, detachStatement)
                && CanNameWebSocketAt(creation, detachStatement);
            detachStatement ??= creationStatement ?? creationSyntax;

            var roots = new List<SyntaxNode>();
            foreach (var use in rawUses)
            {
                var root = use.Event.RootOperation?.Syntax;
                if (root != null && !roots.Contains(root))
                {
                    roots.Add(root);
                }
            }

            var closes = creation.Closes
                .Where(c => c.Event.CloseKind == "Close" && creation.IsReportedClose(c))
                .Select(c => c.Event.Syntax)
                .Distinct()
                .ToList();

            // What the inserted detach comes before that no raw use did: a close there would throw on the detached
            // socket, so the fix rewrites it as well; a send or receive there has no mechanical rewrite.
            var sendAfterDetach = false;
            if (detachStatementFits && creation.WebSocketKey != null)
            {
                var (closesAfter, sendAfter) = AfterDetachPoint(creation, detachStatement);
                sendAfterDetach = sendAfter;
                foreach (var close in closesAfter)
                {
                    if (!closes.Contains(close))
                    {
                        closes.Add(close);
                    }
                }

                closes.Sort((a, b) => a.SpanStart.CompareTo(b.SpanStart));
            }

            var transportKey = creation.TransportKey;
            var webSocketKey = creation.WebSocketKey;
            var fixable =
                rawUses.Count > 0
                && detachStatementFits
                && !sendAfterDetach
                && webSocketKey != null
                && (webSocketKey.IsLocal || webSocketKey.IsMemberOfThis)
                && transportKey != null
                && rawUses.All(u =>
                    u.Graph == creation.Graph
                    && u.Event.RootOperation != null
                    && u.Event.RootKey != null
                    && u.Event.RootKey.Equals(transportKey)
                    && IsStream(u.Event.RootOperation.Type));

            var locations = ImmutableArray.CreateBuilder<Location>(2 + roots.Count + closes.Count);
            locations.Add(creationSyntax.GetLocation());
            locations.Add(detachStatement.GetLocation());
            locations.AddRange(roots.Select(r => r.GetLocation()));
            locations.AddRange(closes.Select(c => c.GetLocation()));

            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[Descriptors.PropertyCreationKind] = creation.IsHandoff ? Descriptors.CreationKindHandoff : Descriptors.CreationKindBcl;
            properties[Descriptors.PropertyCanAwait] = creation.Graph.CanAwait ? "true" : "false";
            properties[Descriptors.PropertyRootCount] = roots.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            properties[Descriptors.PropertyCloseCount] = closes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            properties[Descriptors.PropertyFixable] = fixable ? "true" : "false";
            return new HandoffPlan(locations.MoveToImmutable(), properties.ToImmutable());
        }

        /// <summary>
        /// Runs the flow from the point where the fix inserts the detach (the start of <paramref name="detachStatement"/>)
        /// as if the WebSocket were detached there: the closes and the sends/receives of the WebSocket it reaches on a path
        /// with no raw use between (a detach moved out of a loop or up to the block that holds every raw use comes before
        /// WebSocket calls no raw use preceded).
        /// </summary>
        private static (List<SyntaxNode> Closes, bool SendAfter) AfterDetachPoint(CreationResult creation, SyntaxNode detachStatement)
        {
            var closes = new List<SyntaxNode>();
            var graph = creation.Graph;
            if (!FindPoint(graph, detachStatement, out var block, out var index))
            {
                return (closes, false);
            }

            var dataflow = new HandoffDataflow(creation.WebSocketKey, creation.Roots, null, null);
            dataflow.AddKillLocal(creation.WebSocketKey);
            dataflow.AddAliases(HandoffAnalysis.AllGraphs(HandoffAnalysis.RootOf(graph)).SelectMany(g => g.WebSocketAliases));
            dataflow.RunFromPoint(graph, block, index, HandoffDataflow.Detached | HandoffDataflow.NoRawYet);

            var sendAfter = false;
            foreach (var send in dataflow.SendsAfterDetach)
            {
                sendAfter |= (send.State & HandoffDataflow.NoRawYet) != 0;
            }

            foreach (var close in dataflow.Closes)
            {
                if (close.Event.CloseKind == "Close"
                    && (close.State & (HandoffDataflow.Detached | HandoffDataflow.NoRawYet)) == (HandoffDataflow.Detached | HandoffDataflow.NoRawYet)
                    && !closes.Contains(close.Event.Syntax))
                {
                    closes.Add(close.Event.Syntax);
                }
            }

            return (closes, sendAfter);
        }

        /// <summary>
        /// The first block of the graph (in order) with an operation inside <paramref name="statement"/>, and the first of
        /// its events at or after the statement's start: where the statement begins to run.
        /// </summary>
        private static bool FindPoint(FlowGraph graph, SyntaxNode statement, out int block, out int index)
        {
            var span = statement.Span;
            foreach (var candidate in graph.Graph.Blocks)
            {
                if (!candidate.IsReachable)
                {
                    continue;
                }

                var inside = candidate.BranchValue != null && span.Contains(candidate.BranchValue.Syntax.Span);
                foreach (var operation in candidate.Operations)
                {
                    inside |= span.Contains(operation.Syntax.Span);
                }

                if (!inside)
                {
                    continue;
                }

                block = candidate.Ordinal;
                var events = graph.EventsOf(block);
                for (index = 0; index < events.Count && events[index].Syntax.SpanStart < span.Start; index++)
                {
                }

                return true;
            }

            block = -1;
            index = -1;
            return false;
        }

        private static bool IsStream(ITypeSymbol? type)
        {
            for (var current = type; current != null; current = current.BaseType)
            {
                if (current.Name == "Stream" && current.ContainingNamespace?.ToDisplayString() == "System.IO")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The statement before which the detach goes: the statement holding the first raw use, moved out to the
        /// statement list that holds every raw use, and out of any loop the creation is not in (a detach runs once).
        /// </summary>
        private static SyntaxNode? DetachPoint(List<SyntaxNode> uses, SyntaxNode? creationStatement)
        {
            var first = uses.OrderBy(u => u.SpanStart).First();
            for (var candidate = StatementInBlock(first); candidate != null; candidate = StatementInBlock(candidate.Parent!))
            {
                // The lone statement of an `if`, `else`, `using` or `lock` that holds every raw use: the detach goes with it
                // (the fix wraps both in a block), so it runs only when that branch does.
                foreach (var embedded in EmbeddedStatementsHolding(first, candidate))
                {
                    if (uses.All(u => embedded.Span.Contains(u.Span)) && !InLoopWithoutCreation(embedded, creationStatement))
                    {
                        return embedded;
                    }
                }

                var container = candidate.Parent!;
                if (uses.All(u => container.Span.Contains(u.Span)) && !InLoopWithoutCreation(candidate, creationStatement))
                {
                    return candidate;
                }

                if (candidate.Parent is CompilationUnitSyntax || candidate.Parent?.Parent == null)
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>
        /// The embedded statements (the body of an <c>if</c>, <c>else</c>, <c>using</c>, <c>lock</c> or <c>fixed</c> written
        /// without braces) between <paramref name="node"/> and <paramref name="statement"/>, the statement in a list that
        /// holds it, innermost first.
        /// </summary>
        private static IEnumerable<StatementSyntax> EmbeddedStatementsHolding(SyntaxNode node, SyntaxNode statement)
        {
            for (var current = node; current != null && current != statement; current = current.Parent)
            {
                if (current is AnonymousFunctionExpressionSyntax || current is LocalFunctionStatementSyntax)
                {
                    yield break;
                }

                if (current is StatementSyntax embedded && !(embedded is BlockSyntax)
                    && ((current.Parent is IfStatementSyntax ifStatement && ifStatement.Statement == current)
                        || current.Parent is ElseClauseSyntax
                        || current.Parent is UsingStatementSyntax
                        || current.Parent is LockStatementSyntax
                        || current.Parent is FixedStatementSyntax))
                {
                    yield return embedded;
                }
            }
        }

        private static bool InLoopWithoutCreation(SyntaxNode statement, SyntaxNode? creationStatement)
        {
            for (var node = statement.Parent; node != null; node = node.Parent)
            {
                if (creationStatement != null && node.Span.Contains(creationStatement.Span))
                {
                    return false;
                }

                if (node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax)
                {
                    return true;
                }

                if (node is MemberDeclarationSyntax || node is AnonymousFunctionExpressionSyntax || node is LocalFunctionStatementSyntax)
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>Can code at <paramref name="detachStatement"/> name the WebSocket the creation statement stored?</summary>
        private static bool InScopeOf(SyntaxNode? creationStatement, SyntaxNode detachStatement)
        {
            if (creationStatement == null || creationStatement == detachStatement || detachStatement.SpanStart < creationStatement.Span.End)
            {
                return creationStatement is UsingStatementSyntax usingStatement
                    && usingStatement.Statement.Span.Contains(detachStatement.Span);
            }

            var scope = creationStatement.Parent;
            return scope != null && scope.Span.Contains(detachStatement.Span);
        }

        /// <summary>
        /// Is the local the WebSocket is stored in in scope at <paramref name="detachStatement"/>? Its scope is the
        /// language's: a <c>using</c>/<c>for</c>/<c>foreach</c>/<c>fixed</c> statement, a <c>catch</c> declaration, a pattern or
        /// <c>out var</c> all end before the statement list around them does.
        /// </summary>
        private static bool CanNameWebSocketAt(CreationResult creation, SyntaxNode detachStatement)
        {
            if (!(creation.WebSocketKey?.Symbol is ILocalSymbol local))
            {
                return true;
            }

            if (DeclaredInEnclosingBlock(local, detachStatement))
            {
                return true;
            }

            var model = creation.Member.Root?.SemanticModel;
            if (model == null || model.SyntaxTree != detachStatement.SyntaxTree)
            {
                return false;
            }

            foreach (var symbol in model.LookupSymbols(detachStatement.SpanStart, name: local.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(symbol, local))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The common case without a symbol lookup: the local is declared by a statement of a block that also holds
        /// <paramref name="statement"/>, later, with no lambda or local function between (where a local of the same name
        /// could hide it). C# allows no other local of that name in the block's nested statements.
        /// </summary>
        private static bool DeclaredInEnclosingBlock(ILocalSymbol local, SyntaxNode statement)
        {
            if (local.DeclaringSyntaxReferences.Length != 1
                || !(local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax declarator)
                || !(declarator.Parent?.Parent is LocalDeclarationStatementSyntax declaration)
                || !(declaration.Parent is BlockSyntax block)
                || declarator.SyntaxTree != statement.SyntaxTree
                || statement.SpanStart < declaration.Span.End)
            {
                return false;
            }

            for (var node = statement.Parent; node != null; node = node.Parent)
            {
                if (node == block)
                {
                    return true;
                }

                if (node is AnonymousFunctionExpressionSyntax || node is LocalFunctionStatementSyntax || node is MemberDeclarationSyntax)
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>The innermost statement holding <paramref name="node"/> that sits directly in a statement list.</summary>
        internal static SyntaxNode? StatementInBlock(SyntaxNode node)
        {
            for (var current = node; current != null; current = current.Parent)
            {
                if (current is GlobalStatementSyntax)
                {
                    return current;
                }

                if (current is StatementSyntax && current.Parent is BlockSyntax or SwitchSectionSyntax)
                {
                    return current;
                }

                if (current is MemberDeclarationSyntax)
                {
                    return null;
                }
            }

            return null;
        }
    }
}
