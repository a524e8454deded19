using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using WebSocketHandoff.Analyzers;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>The small syntax edits every fixer of the package shares.</summary>
    internal static class FixEditing
    {
        /// <summary>The runtime's HandoffWebSocket, or null when the project does not reference the runtime (then no fix is offered).</summary>
        public static INamedTypeSymbol? GetHandoffWebSocket(Compilation compilation) =>
            compilation.GetTypeByMetadataName(Types.HandoffWebSocket);

        /// <summary>
        /// The type <c>HandoffWebSocket</c>, written fully qualified and annotated so that the code action's clean-up adds
        /// <c>using WebSocketHandoff;</c> (once per file) and reduces the name.
        /// </summary>
        public static TypeSyntax HandoffTypeSyntax(SyntaxGenerator generator, INamedTypeSymbol handoffWebSocket) =>
            ((TypeSyntax)generator.TypeExpression(handoffWebSocket))
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

        /// <summary>
        /// The expression statement a call stands in, seen through <c>await</c>, parentheses, <c>.ConfigureAwait(…)</c>,
        /// <c>.GetAwaiter().GetResult()</c>, <c>.Wait()</c>, <c>.AsTask()</c> and a discard (<c>_ = ws.SendAsync(…);</c>);
        /// null when the call's value is used.
        /// </summary>
        public static ExpressionStatementSyntax? GetStatementOfCall(SyntaxNode call)
        {
            var node = call;
            while (true)
            {
                var parent = node.Parent;
                if (parent is ParenthesizedExpressionSyntax || parent is AwaitExpressionSyntax)
                {
                    node = parent;
                }
                else if (parent is MemberAccessExpressionSyntax memberAccess
                    && memberAccess.Expression == node
                    && IsTaskWrapper(memberAccess.Name.Identifier.ValueText)
                    && memberAccess.Parent is InvocationExpressionSyntax wrapper)
                {
                    node = wrapper;
                }
                else if (parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard
                    && discard.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && discard.Right == node)
                {
                    node = discard;
                }
                else
                {
                    return parent is ExpressionStatementSyntax statement && statement.Expression == node ? statement : null;
                }
            }
        }

        private static bool IsTaskWrapper(string name) =>
            name == "ConfigureAwait" || name == "GetAwaiter" || name == "GetResult" || name == "Wait" || name == "AsTask";

        /// <summary>
        /// Removes a statement. One that is the whole body of an <c>if</c>, loop or <c>using</c> becomes an empty block
        /// so the code stays well-formed.
        /// </summary>
        public static void RemoveStatement(SyntaxEditor editor, StatementSyntax statement)
        {
            switch (statement.Parent)
            {
                case BlockSyntax _:
                case SwitchSectionSyntax _:
                    editor.RemoveNode(statement, SyntaxRemoveOptions.KeepUnbalancedDirectives);
                    break;
                case GlobalStatementSyntax global:
                    editor.RemoveNode(global, SyntaxRemoveOptions.KeepUnbalancedDirectives);
                    break;
                default:
                    editor.ReplaceNode(statement, SyntaxFactory.Block().WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
            }
        }

        /// <summary>Whether <paramref name="statement"/> sits where another statement can be inserted before it.</summary>
        public static bool IsInStatementList(StatementSyntax statement) =>
            statement.Parent is BlockSyntax || statement.Parent is SwitchSectionSyntax || statement.Parent is GlobalStatementSyntax;

        /// <summary>Inserts <paramref name="newStatement"/> before <paramref name="statement"/>, which must be in a statement list.</summary>
        public static void InsertBefore(SyntaxEditor editor, StatementSyntax statement, StatementSyntax newStatement)
        {
            if (statement.Parent is GlobalStatementSyntax global)
            {
                // Top-level statements format like members (a blank line between elastic ones): take the neighbour's trivia.
                editor.InsertBefore(global, SyntaxFactory.GlobalStatement(newStatement.WithoutTrivia())
                    .WithLeadingTrivia(global.GetLeadingTrivia())
                    .WithTrailingTrivia(EndOfLineOf(global)));
            }
            else
            {
                editor.InsertBefore(statement, newStatement);
            }
        }

        /// <summary>
        /// The node whose identifiers a new local must not collide with: the member (method, accessor's property, …)
        /// holding <paramref name="node"/>, or the whole file for top-level statements.
        /// </summary>
        public static SyntaxNode GetNamingScope(SyntaxNode node) =>
            node.AncestorsAndSelf().FirstOrDefault(n => n is MemberDeclarationSyntax && !(n is GlobalStatementSyntax))
            ?? node.SyntaxTree.GetRoot();

        /// <summary>
        /// <paramref name="baseName"/>, or baseName1, baseName2, … : the first name that no identifier of the naming scope,
        /// no symbol visible at <paramref name="position"/> and no name in <paramref name="reserved"/> already uses.
        /// The chosen name is added to <paramref name="reserved"/>.
        /// </summary>
        public static string ChooseUniqueName(SemanticModel model, SyntaxNode scope, int position, string baseName, ISet<string> reserved)
        {
            var taken = new HashSet<string>(reserved);
            foreach (var token in scope.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken))
                {
                    taken.Add(token.ValueText);
                }
            }

            foreach (var symbol in model.LookupSymbols(position))
            {
                taken.Add(symbol.Name);
            }

            var name = baseName;
            for (var i = 1; taken.Contains(name); i++)
            {
                name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            reserved.Add(name);
            return name;
        }

        /// <summary>
        /// A CancellationToken parameter or local usable at <paramref name="position"/> (the innermost declared one),
        /// as an expression; null when there is none.
        /// </summary>
        public static ExpressionSyntax? FindCancellationToken(SemanticModel model, int position, CancellationToken cancellationToken)
        {
            var tokenType = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            if (tokenType is null)
            {
                return null;
            }

            ISymbol? best = null;
            var bestStart = -1;
            foreach (var symbol in model.LookupSymbols(position))
            {
                cancellationToken.ThrowIfCancellationRequested();
                ITypeSymbol? type;
                switch (symbol)
                {
                    case IParameterSymbol parameter when parameter.RefKind != RefKind.Out:
                        type = parameter.Type;
                        break;
                    case ILocalSymbol local:
                        type = local.Type;
                        break;
                    default:
                        continue;
                }

                if (!SymbolEqualityComparer.Default.Equals(type, tokenType))
                {
                    continue;
                }

                // A local is in scope in its whole block but usable only after its declaration.
                var declaration = symbol.DeclaringSyntaxReferences.FirstOrDefault();
                if (declaration is null || declaration.SyntaxTree != model.SyntaxTree)
                {
                    continue;
                }

                var start = declaration.Span.Start;
                if (symbol is ILocalSymbol && declaration.Span.End > position)
                {
                    continue;
                }

                if (start > bestStart)
                {
                    best = symbol;
                    bestStart = start;
                }
            }

            return best is null ? null : SyntaxFactory.IdentifierName(EscapeIdentifier(best.Name));
        }

        /// <summary>Whether an <c>await</c> can be written at <paramref name="node"/> (an async function or top-level code, outside a <c>lock</c>).</summary>
        public static bool CanAwaitAt(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                switch (ancestor)
                {
                    case LockStatementSyntax _:
                    case QueryExpressionSyntax _:
                        return false;
                    case AnonymousFunctionExpressionSyntax function:
                        return function.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                    case LocalFunctionStatementSyntax localFunction:
                        return localFunction.Modifiers.Any(SyntaxKind.AsyncKeyword);
                    case BaseMethodDeclarationSyntax method:
                        return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                    case GlobalStatementSyntax _:
                        return true;
                    case MemberDeclarationSyntax _:
                        return false;
                }
            }

            return false;
        }

        /// <summary>Whether <paramref name="expression"/> is <c>default</c>, <c>default(CancellationToken)</c> or <c>CancellationToken.None</c>.</summary>
        public static bool IsNoneToken(ExpressionSyntax expression) =>
            expression.IsKind(SyntaxKind.DefaultLiteralExpression)
            || expression.IsKind(SyntaxKind.DefaultExpression)
            || (expression is MemberAccessExpressionSyntax memberAccess && memberAccess.Name.Identifier.ValueText == "None"
                && memberAccess.Expression.ToString().EndsWith("CancellationToken", System.StringComparison.Ordinal));

        /// <summary>Parenthesizes <paramref name="expression"/> when it replaces <paramref name="original"/> as the target of a member access, call or index.</summary>
        public static ExpressionSyntax ParenthesizeForPosition(ExpressionSyntax expression, SyntaxNode original) =>
            original.Parent is MemberAccessExpressionSyntax
            || original.Parent is ConditionalAccessExpressionSyntax
            || original.Parent is ElementAccessExpressionSyntax
            || original.Parent is InvocationExpressionSyntax
            || original.Parent is PostfixUnaryExpressionSyntax
                ? SyntaxFactory.ParenthesizedExpression(expression)
                : expression;

        private static SyntaxTrivia EndOfLineOf(SyntaxNode node)
        {
            var endOfLine = node.SyntaxTree.GetRoot().DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            return endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : SyntaxFactory.EndOfLine("\n");
        }

        private static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}
