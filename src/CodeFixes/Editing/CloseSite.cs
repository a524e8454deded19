using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// One <c>CloseAsync</c>/<c>CloseOutputAsync</c> of a handoff plan, and how the fix treats it. The plan lists closes that
    /// follow a raw use or the detach on some path. After the fix the WebSocket is a HandoffWebSocket, which throws when closed
    /// detached (and the BCL one wrote a Close frame into the raw stream): a close that follows the detach on every path is
    /// dropped; one also reached without the detach is kept and skipped only when the socket is detached.
    /// </summary>
    internal sealed class CloseSite
    {
        private CloseSite(InvocationExpressionSyntax call, ExpressionSyntax receiver, ExpressionStatementSyntax? statement, SyntaxNode? discardedBody, bool drop)
        {
            Call = call;
            Receiver = receiver;
            Statement = statement;
            DiscardedBody = discardedBody;
            Drop = drop;
        }

        /// <summary>The close invocation.</summary>
        public InvocationExpressionSyntax Call { get; }

        /// <summary>The WebSocket it is called on: a simple name or <c>this.name</c>, so naming it twice is harmless.</summary>
        public ExpressionSyntax Receiver { get; }

        /// <summary>The expression statement the close stands in (<c>await ws.CloseAsync(…);</c>, <c>_ = ws.CloseAsync(…);</c>, …), or null when its value is used.</summary>
        public ExpressionStatementSyntax? Statement { get; }

        /// <summary>
        /// The lambda whose expression body is the close and whose value the lambda discards (an <c>Action</c>):
        /// set by <see cref="CanRewrite"/> when it finds one; the body then becomes a block.
        /// </summary>
        public SyntaxNode? DiscardedBody { get; private set; }

        /// <summary>
        /// Whether the close is dropped rather than guarded: it runs only after the detach, on every path (see
        /// <see cref="DetachOrder.AlwaysAfter"/>), or (a HandoffWebSocket close) the WebSocket is never detached in the member.
        /// </summary>
        public bool Drop { get; }

        /// <summary>The node the rewrite replaces (Fix All keeps plans whose edits overlap apart).</summary>
        public SyntaxNode EditedNode => (SyntaxNode?)Statement ?? Call;

        /// <summary>Resolves a close of the plan; null when it is not a close call on a simple name (then the plan is not applied).</summary>
        public static CloseSite? TryResolve(SyntaxNode root, TextSpan span, StatementSyntax detachBefore)
        {
            var call = FindClose(root, span, requireSimpleReceiver: true);
            return call is null
                ? null
                : new CloseSite(call, ((MemberAccessExpressionSyntax)call.Expression).Expression, FixEditing.GetStatementOfCall(call), null, DetachOrder.AlwaysAfter(detachBefore, call));
        }

        /// <summary>
        /// Resolves a close of a HandoffWebSocket reported by WSH002 (standing as its own statement): dropped when a detach of
        /// the same variable precedes it on every path, or when the member never detaches it (the close follows a raw use of
        /// an attached socket and would write a Close frame into the raw stream); guarded when it is also reached undetached.
        /// Null when it cannot be rewritten.
        /// </summary>
        public static CloseSite? TryResolveOnHandoff(SyntaxNode root, SemanticModel model, TextSpan span, CancellationToken cancellationToken)
        {
            var call = FindClose(root, span, requireSimpleReceiver: false);
            var statement = call is null ? null : FixEditing.GetStatementOfCall(call);
            if (call is null || statement is null)
            {
                return null;
            }

            var receiver = ((MemberAccessExpressionSyntax)call.Expression).Expression;
            var webSocket = model.GetSymbolInfo(receiver, cancellationToken).Symbol;
            if (webSocket is null)
            {
                return null;
            }

            var detaches = 0;
            var drop = false;
            foreach (var invocation in FixEditing.GetNamingScope(call).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (!(invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "DetachAsync" or "SendAndDetachAsync" or "Detach" } access)
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(WithoutParenthesesAndCasts(access.Expression), cancellationToken).Symbol, webSocket))
                {
                    continue;
                }

                detaches++;
                drop |= UnconditionalStatementOf(invocation) is StatementSyntax detachStatement
                    && !detachStatement.Span.Contains(call.Span)
                    && DetachOrder.AlwaysAfter(detachStatement, call);
            }

            // A guard names the receiver twice: only a simple name, and only where the pattern form can be written. A close
            // already behind an IsDetached test is not guarded again (the diagnostic then comes from another path's raw use).
            var site = new CloseSite(call, receiver, statement, null, drop || detaches == 0);
            return site.Drop || (IsSimpleReceiver(receiver) && CloseGuard.SupportsPatternGuard(call.SyntaxTree) && !IsBehindIsDetachedTest(statement))
                ? site
                : null;
        }

        private static InvocationExpressionSyntax? FindClose(SyntaxNode root, TextSpan span, bool requireSimpleReceiver)
        {
            if (!root.FullSpan.Contains(span)
                || !(root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is InvocationExpressionSyntax call)
                || !(call.Expression is MemberAccessExpressionSyntax access)
                || !access.IsKind(SyntaxKind.SimpleMemberAccessExpression)
                || !(access.Name.Identifier.ValueText == "CloseAsync" || access.Name.Identifier.ValueText == "CloseOutputAsync")
                || (requireSimpleReceiver && !IsSimpleReceiver(access.Expression)))
            {
                return null;
            }

            return call;
        }

        private static bool IsBehindIsDetachedTest(SyntaxNode node)
        {
            for (; node.Parent != null && !(node is MemberDeclarationSyntax); node = node.Parent)
            {
                if (node.Parent is IfStatementSyntax guard && guard.Statement == node
                    && guard.Condition.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(name => name.Identifier.ValueText == "IsDetached"))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsSimpleReceiver(ExpressionSyntax receiver) =>
            receiver is IdentifierNameSyntax
            || receiver is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax };

        /// <summary>
        /// The statement that runs <paramref name="call"/> whenever it runs: <c>await ws.DetachAsync(…);</c>,
        /// <c>var raw = await ws.DetachAsync(…);</c>, <c>raw = ws.Detach();</c> (through <c>await</c>, parentheses and
        /// <c>ConfigureAwait</c>); null for a call inside a condition, a lambda or any larger expression.
        /// </summary>
        private static StatementSyntax? UnconditionalStatementOf(InvocationExpressionSyntax call)
        {
            SyntaxNode node = call;
            while (node.Parent is ParenthesizedExpressionSyntax
                || node.Parent is AwaitExpressionSyntax
                || (node.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure
                    && configure.Expression == node && configure.Parent is InvocationExpressionSyntax))
            {
                node = node.Parent is MemberAccessExpressionSyntax ? node.Parent.Parent! : node.Parent;
            }

            switch (node.Parent)
            {
                case ExpressionStatementSyntax statement:
                    return statement;
                case AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax statement } assignment when assignment.Right == node:
                    return statement;
                case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: LocalDeclarationStatementSyntax statement } } }:
                    return statement;
                default:
                    return null;
            }
        }

        private static ExpressionSyntax WithoutParenthesesAndCasts(ExpressionSyntax expression)
        {
            while (true)
            {
                switch (expression)
                {
                    case ParenthesizedExpressionSyntax parenthesized:
                        expression = parenthesized.Expression;
                        break;
                    case CastExpressionSyntax cast:
                        expression = cast.Expression;
                        break;
                    default:
                        return expression;
                }
            }
        }

        /// <summary>
        /// Semantic checks before any edit: the close is on <paramref name="webSocket"/> itself; a close whose value is used
        /// returns a <c>Task</c> (replaced by <c>Task.CompletedTask</c> when detached) outside an expression tree and a query;
        /// the language has property patterns where the guard needs one.
        /// </summary>
        public bool CanRewrite(SemanticModel model, ISymbol webSocket, CancellationToken cancellationToken)
        {
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(Receiver, cancellationToken).Symbol, webSocket))
            {
                return false;
            }

            if (!Drop && !CloseGuard.SupportsPatternGuard(Call.SyntaxTree))
            {
                return false;
            }

            if (Statement != null)
            {
                return true;
            }

            var task = model.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            if (task is null || !SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(Call, cancellationToken).Type, task))
            {
                return false;
            }

            var expressionTree = model.Compilation.GetTypeByMetadataName("System.Linq.Expressions.Expression`1");
            foreach (var ancestor in Call.Ancestors())
            {
                if (ancestor is QueryExpressionSyntax)
                {
                    return false;
                }

                if (ancestor is AnonymousFunctionExpressionSyntax lambda
                    && model.GetTypeInfo(lambda, cancellationToken).ConvertedType is INamedTypeSymbol delegateType
                    && SymbolEqualityComparer.Default.Equals(delegateType.OriginalDefinition, expressionTree))
                {
                    return false;
                }
            }

            // An expression body whose value is discarded must stay a statement expression, which a conditional is not.
            SyntaxNode value = Call;
            while (value.Parent is ParenthesizedExpressionSyntax)
            {
                value = value.Parent;
            }

            IMethodSymbol? function = value.Parent switch
            {
                AnonymousFunctionExpressionSyntax lambda when lambda.ExpressionBody == value => model.GetSymbolInfo(lambda, cancellationToken).Symbol as IMethodSymbol,
                ArrowExpressionClauseSyntax arrow => model.GetDeclaredSymbol(arrow.Parent!, cancellationToken) as IMethodSymbol,
                _ => null,
            };

            if (function != null && (function.ReturnsVoid || (function.IsAsync && !(function.ReturnType is INamedTypeSymbol { IsGenericType: true }))))
            {
                if (!(value.Parent is AnonymousFunctionExpressionSyntax))
                {
                    return false;
                }

                DiscardedBody = value.Parent;
            }

            return true;
        }
    }
}
