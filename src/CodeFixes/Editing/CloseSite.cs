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
        private CloseSite(InvocationExpressionSyntax call, ExpressionSyntax receiver, ExpressionStatementSyntax? statement, SyntaxNode? discardedBody, bool alwaysAfterDetach)
        {
            Call = call;
            Receiver = receiver;
            Statement = statement;
            DiscardedBody = discardedBody;
            AlwaysAfterDetach = alwaysAfterDetach;
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

        /// <summary>Whether the close runs only after the inserted detach, on every path (see <see cref="DetachOrder.AlwaysAfter"/>).</summary>
        public bool AlwaysAfterDetach { get; }

        /// <summary>The node the rewrite replaces (Fix All keeps plans whose edits overlap apart).</summary>
        public SyntaxNode EditedNode => (SyntaxNode?)Statement ?? Call;

        /// <summary>Resolves a close of the plan; null when it is not a close call on a simple name (then the plan is not applied).</summary>
        public static CloseSite? TryResolve(SyntaxNode root, TextSpan span, StatementSyntax detachBefore)
        {
            if (!root.FullSpan.Contains(span)
                || !(root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is InvocationExpressionSyntax call)
                || !(call.Expression is MemberAccessExpressionSyntax access)
                || !access.IsKind(SyntaxKind.SimpleMemberAccessExpression)
                || !(access.Name.Identifier.ValueText == "CloseAsync" || access.Name.Identifier.ValueText == "CloseOutputAsync")
                || !(access.Expression is IdentifierNameSyntax
                    || access.Expression is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax }))
            {
                return null;
            }

            return new CloseSite(call, access.Expression, FixEditing.GetStatementOfCall(call), null, DetachOrder.AlwaysAfter(detachBefore, call));
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

            if (!AlwaysAfterDetach && !CloseGuard.SupportsPatternGuard(Call.SyntaxTree))
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
