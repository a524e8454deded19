using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// Rewrites the closes of one plan (see <see cref="CloseSite"/>):
    /// <list type="bullet">
    /// <item>after the detach on every path: the statement is removed; a close whose value is used becomes <c>Task.CompletedTask</c>;</item>
    /// <item>also reached without the detach: <c>if (!ws.IsDetached) await ws.CloseAsync(…);</c>, or
    /// <c>ws.IsDetached ? Task.CompletedTask : ws.CloseAsync(…)</c> where the value is used.</item>
    /// </list>
    /// Where the variable keeps the type <c>WebSocket</c> (a field, a local assigned elsewhere too) the test is the pattern
    /// <c>ws is HandoffWebSocket { IsDetached: true }</c>, which is false for any other WebSocket (and for null).
    /// </summary>
    internal sealed class CloseGuard
    {
        private readonly SyntaxGenerator _generator;
        private readonly INamedTypeSymbol _handoff;
        private readonly INamedTypeSymbol? _task;
        private readonly bool _typedAsHandoff;

        public CloseGuard(SyntaxGenerator generator, INamedTypeSymbol handoff, Compilation compilation, bool typedAsHandoff)
        {
            _generator = generator;
            _handoff = handoff;
            _task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            _typedAsHandoff = typedAsHandoff;
        }

        /// <summary>The pattern guard needs C# 8 (property patterns); <c>is not</c> is used from C# 9.</summary>
        public static bool SupportsPatternGuard(SyntaxTree tree) =>
            !(tree.Options is CSharpParseOptions options) || options.LanguageVersion >= LanguageVersion.CSharp8;

        public void Rewrite(SyntaxEditor editor, CloseSite close)
        {
            if (close.Statement != null)
            {
                if (close.Drop)
                {
                    FixEditing.RemoveStatement(editor, close.Statement);
                    return;
                }

                var keepBlock = !FixEditing.IsInStatementList(close.Statement) && !(close.Statement.Parent is LabeledStatementSyntax);
                editor.ReplaceNode(close.Statement, (current, _) =>
                {
                    // An embedded statement gets braces: an 'if' without them could capture a following 'else'.
                    StatementSyntax guarded = SyntaxFactory.IfStatement(NotDetached(close.Receiver), ((StatementSyntax)current).WithoutTrivia());
                    if (keepBlock)
                    {
                        guarded = SyntaxFactory.Block(guarded);
                    }

                    return guarded.WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation);
                });
                return;
            }

            if (close.DiscardedBody is AnonymousFunctionExpressionSyntax lambda)
            {
                editor.ReplaceNode(lambda, (current, _) =>
                {
                    var function = (AnonymousFunctionExpressionSyntax)current;
                    var body = (ExpressionSyntax)function.ExpressionBody!;
                    var block = close.Drop
                        ? SyntaxFactory.Block()
                        : SyntaxFactory.Block(SyntaxFactory.IfStatement(NotDetached(close.Receiver), SyntaxFactory.ExpressionStatement(body.WithoutTrivia())));
                    return function.WithExpressionBody(null).WithBlock(block.WithTriviaFrom(body)).WithAdditionalAnnotations(Formatter.Annotation);
                });
                return;
            }

            editor.ReplaceNode(close.Call, (current, _) =>
            {
                var completed = CompletedTask();
                if (close.Drop)
                {
                    return completed.WithTriviaFrom(current);
                }

                return SyntaxFactory.ParenthesizedExpression(
                        SyntaxFactory.ConditionalExpression(Detached(close.Receiver), completed, ((ExpressionSyntax)current).WithoutTrivia()))
                    .WithTriviaFrom(current)
                    .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
            });
        }

        private ExpressionSyntax Detached(ExpressionSyntax receiver)
        {
            if (_typedAsHandoff)
            {
                return SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver.WithoutTrivia(), SyntaxFactory.IdentifierName("IsDetached"));
            }

            return SyntaxFactory.IsPatternExpression(receiver.WithoutTrivia(), DetachedHandoffPattern());
        }

        private ExpressionSyntax NotDetached(ExpressionSyntax receiver)
        {
            if (_typedAsHandoff)
            {
                return SyntaxFactory.PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, Detached(receiver));
            }

            if (receiver.SyntaxTree.Options is CSharpParseOptions options && options.LanguageVersion < LanguageVersion.CSharp9)
            {
                return SyntaxFactory.PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, SyntaxFactory.ParenthesizedExpression(Detached(receiver)));
            }

            return SyntaxFactory.IsPatternExpression(
                receiver.WithoutTrivia(),
                SyntaxFactory.UnaryPattern(SyntaxFactory.Token(SyntaxKind.NotKeyword), DetachedHandoffPattern()));
        }

        /// <summary><c>HandoffWebSocket { IsDetached: true }</c>, parsed so the formatter keeps it on one line.</summary>
        private PatternSyntax DetachedHandoffPattern()
        {
            var typeName = _handoff.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var pattern = ((IsPatternExpressionSyntax)SyntaxFactory.ParseExpression("_ is " + typeName + " { IsDetached: true }")).Pattern;
            return pattern is RecursivePatternSyntax { Type: TypeSyntax type }
                ? pattern.ReplaceNode(type, type.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation))
                : pattern;
        }

        private ExpressionSyntax CompletedTask()
        {
            var taskType = _task is null
                ? SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task")
                : (TypeSyntax)_generator.TypeExpression(_task);
            return SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    taskType.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation),
                    SyntaxFactory.IdentifierName("CompletedTask"))
                .WithAdditionalAnnotations(Simplifier.Annotation);
        }
    }
}
